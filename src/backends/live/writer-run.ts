/** Entry of the live writer's bundle (dist/apt-ostreed-live.cjs): runs it and exits with its code. */
import { main } from './writer-main.js';

void main(process.argv.slice(2)).then((code) => process.exit(code));
