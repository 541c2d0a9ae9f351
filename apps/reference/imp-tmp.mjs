const t = performance.now();
for (const m of process.argv.slice(2)) { const t1 = performance.now(); await import(m); console.log(m, (performance.now() - t1).toFixed(0)); }
console.log("all", (performance.now() - t).toFixed(0), "ms");
