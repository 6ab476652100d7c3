// Side-by-side runner: replays the same CSV through nodejs-order-book 10.1.1 (parsing excluded, best of 3).
const fs = require('fs');
const { OrderBook } = require('nodejs-order-book');
const file = process.argv[2];
const lines = fs.readFileSync(file, 'utf8').split('\n');
const ops = [];
for (let i = 1; i < lines.length; i++) {
  const l = lines[i];
  if (!l) continue;
  const f = l.split(',');
  if (f[0] === 'cancel') ops.push({ cancel: true, id: f[1] });
  else ops.push({ cancel: false, o: { id: f[1], side: f[3], price: Number(f[4]), size: Number(f[5]), timeInForce: f[6] } });
}
let best = Infinity, trades = 0;
for (let run = 0; run < 3; run++) {
  const ob = new OrderBook();
  let t = 0;
  const start = process.hrtime.bigint();
  for (const op of ops) {
    if (op.cancel) { ob.cancel(op.id); continue; }
    const r = ob.limit(op.o);
    if (r && r.done) t += r.done.length;
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  console.error(`run ${run + 1}: ${s.toFixed(3)} s, ${Math.round(ops.length / s)} ops/s`);
  if (s < best) { best = s; trades = t; }
}
console.log(JSON.stringify({ ops: ops.length, trades, seconds: +best.toFixed(4), ops_per_s: Math.round(ops.length / best) }));
