import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * One crier per state directory: a lock file holding the owner's pid. A second instance refuses to start; a lock
 * left by a process that no longer exists (SIGKILL, power loss) is taken over.
 */
export class InstanceLock {
  private held = false;
  constructor(private readonly file: string) {}

  acquire(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, "wx", 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const pid = Number(readFileSync(this.file, "utf8").trim());
        if (pid && pid !== process.pid && isAlive(pid)) {
          throw new Error(
            `another crier (pid ${pid}) is running on this state directory (${this.file}); stop it first`,
          );
        }
        unlinkSync(this.file);
      }
    }
    throw new Error(`could not take the instance lock ${this.file}`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
