#!/usr/bin/env node
// The shipped binary runs compiled JavaScript: tsc output bundled by scripts/bundle.mjs (see docs/cli.md).
import '../bundle/main.js';
