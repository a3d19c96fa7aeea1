#!/usr/bin/env node
// The shipped binary runs compiled JavaScript; the CLI code lives in ../dist.
import '../dist/main.js';
