// The codec sandbox's worker entry. Lookout runs TypeScript through tsx (no build), and on Node 20
// a worker thread inherits neither the parent's tsx hooks nor `--import tsx` from execArgv, so
// the worker registers tsx itself and then loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./sandbox-worker.ts')
