// Prints the packages (from node_modules) that importing picflow's entry point loads, as a JSON array.
import 'picflow';

const names = new Set(Object.keys(require.cache).map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]));
names.delete(undefined);
console.log(JSON.stringify([...names].sort()));
