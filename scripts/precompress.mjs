// Writes .br (quality 11) and .gz (level 9) beside each file of the browser
// bundle, once at build time, so the server sends them as they are instead
// of compressing a megabyte of wasm per page load.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const dir = process.argv[2];
for (const name of fs.readdirSync(dir)) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const file = path.join(dir, name);
  const data = fs.readFileSync(file);
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  }));
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
  console.log(`${name}: ${data.length} bytes, br ${fs.statSync(`${file}.br`).size}, gz ${fs.statSync(`${file}.gz`).size}`);
}
