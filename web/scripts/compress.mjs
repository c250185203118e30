// Precompresses the built files (gzip and brotli, best level) so the C++
// server sends them as they are; small files are left alone.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'

const root = new URL('../dist/', import.meta.url).pathname
const worth = /\.(js|css|html|svg|json|txt)$/
let count = 0
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (worth.test(name) && statSync(p).size > 1024) {
      const data = readFileSync(p)
      writeFileSync(p + '.gz', gzipSync(data, { level: 9 }))
      writeFileSync(p + '.br', brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
      count++
    }
  }
}
walk(root)
console.log(`compressed ${count} files in dist/`)
