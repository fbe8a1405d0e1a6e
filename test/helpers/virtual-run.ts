/** Drives a promise that runs on a VirtualClock (see src/runner/virtual.ts). */
export { runInVirtualTime as driveVirtual } from '../../src/runner/virtual.js';
