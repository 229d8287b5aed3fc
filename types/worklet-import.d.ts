/** `import code from './x.worklet.ts?worklet'`: the bundled worklet source (tools/worklet-plugin.mjs). */
declare module '*?worklet' {
  const code: string;
  export default code;
}
