#!/usr/bin/env bash
# Regenerates the display board's recorded voice clips (renderer/public/voice/*.wav) with
# espeak-ng's Mandarin voice: machine-made placeholders until real recordings of the same names
# replace them (see renderer/public/voice/README.md). The names are ANNOUNCEMENT_CLIPS in
# core/hall/announcement.ts; a call is played as clips one after another, e.g.
#   qing A 0 1 2 hao dao 3 hao-chuangkou-banli   (请 A 零 一 二 号 到 三 号窗口办理)
# Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox).
# Output: mono, 11.025 kHz, 16-bit PCM, silence trimmed at both ends so clips join without gaps.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../renderer/public/voice"
mkdir -p "$out"
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-voice-clips: $tool is missing (apt-get install -y espeak-ng sox)" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name|text espeak-ng reads (the cmn voice reads Latin letters the English way, as people in
# Chinese halls do: A is "ei").
clips=(
  'qing|请'
  'hao|号'
  'dao|到'
  'shi|十'
  'hao-chuangkou-banli|号窗口办理'
  '0|零' '1|一' '2|二' '3|三' '4|四' '5|五' '6|六' '7|七' '8|八' '9|九'
)
for letter in {A..Z}; do clips+=("$letter|$letter"); done

for clip in "${clips[@]}"; do
  name="${clip%%|*}"
  text="${clip#*|}"
  espeak-ng -v cmn -s 165 -w "$tmp/$name.wav" "$text"
  # Trim leading and trailing silence, then a short pause after, so a sequence sounds spoken.
  sox "$tmp/$name.wav" -r 11025 -c 1 -b 16 "$out/$name.wav" gain -1 \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0 0.05
done

echo "make-voice-clips: ${#clips[@]} clips in $out ($(du -ck "$out"/*.wav | tail -1 | cut -f1) KiB)"
