#!/usr/bin/env node
// The `steward` command. TypeScript runs through tsx's loader, so there is no build
// step whose output could go stale.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
