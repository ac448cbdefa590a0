#!/usr/bin/env bash
# Regenerates the screenshot gallery in docs/screenshots/ and its index docs/SCREENS.md:
# every driver screen in Turkish and English (and high contrast) at the screen sizes a
# station uses. Each run also checks touch-target sizes, text overflow, that no full
# card number is shown and that the font has every character shown; it fails if a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
out=docs/screenshots
rm -rf "$out" && mkdir -p "$out"
for size in 1280x800 1920x1080 1080x1920; do
  .venv/bin/python -m tests.ui.gallery --size "$size" --out "$out" > "$out/checks-$size.json"
done
{
  echo "# Screen gallery"
  echo
  echo "Made by \`scripts/screenshots.sh\` (the real app under Xvfb, the real central service with the"
  echo "demo cards). Every scene passed the checks in \`tests/ui/gallery.py\` (15 mm touch targets, no overflowing"
  echo "text, no full card number, a glyph in the font for every character shown)."
  for size in 1280x800 1920x1080 1080x1920; do
    echo
    echo "## $size"
    for png in "$out/$size"-*.png; do
      name=$(basename "$png" .png)
      echo
      echo "### ${name#"$size"-}"
      echo
      echo "![${name}](screenshots/$(basename "$png"))"
    done
  done
} > docs/SCREENS.md
echo "gallery: $(ls "$out"/*.png | wc -l) screenshots in $out, index docs/SCREENS.md"
