import { setFlagsFromString } from 'node:v8'
import { run } from './action/main.js'

// The HTTP parser of octokit's fetch (undici's llhttp) is WebAssembly: V8's optimizing recompile of
// it takes ~10 MiB of peak memory for a handful of API responses; the baseline compiler does.
setFlagsFromString('--liftoff-only')
void run()
