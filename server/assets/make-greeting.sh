#!/bin/sh
# Regenerates greeting.wav, the local echo agent's spoken greeting (16 kHz mono signed 16-bit PCM WAV).
# Run once from anywhere: `sh server/assets/make-greeting.sh`; commit the result (it must stay < 120 KB).
# Needs espeak-ng and sox (Debian: `apt-get install -y espeak-ng sox`); the server itself needs neither.
set -eu
cd "$(dirname "$0")"
TEXT="Hi! I'm the local echo agent. Say something and I'll say it back."
tmp=$(mktemp --suffix=.wav)
trap 'rm -f "$tmp"' EXIT
# 195 words a minute keeps the clip under 120 KB; espeak-ng writes 22.05 kHz, sox resamples to 16 kHz
# (with its anti-aliasing filter) and trims the leading and trailing silence.
espeak-ng -v en-us -s 195 -w "$tmp" "$TEXT"
sox "$tmp" -r 16000 -c 1 -b 16 -e signed-integer greeting.wav \
  silence 1 0.05 0.5% reverse silence 1 0.05 0.5% reverse
size=$(wc -c < greeting.wav)
echo "greeting.wav: $size bytes"
[ "$size" -lt 122880 ] || { echo "greeting.wav is over 120 KB" >&2; exit 1; }
