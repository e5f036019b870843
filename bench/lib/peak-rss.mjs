// Preloaded (node --import) into a measured command: at exit, writes the process's peak RSS in KB
// to the file named by LIFEBOAT_BENCH_RSS_FILE. The kernel's own high-water mark, so no sampling is missed.
import { writeFileSync } from 'node:fs';

const file = process.env.LIFEBOAT_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
