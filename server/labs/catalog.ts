import type { Course, LabDefinition, LabIssue } from './types';
import { loadLabs, watchLabs } from './loader';
import { log } from '../log';

/** The labs currently loaded; reloads in place when files change (development). */
export class LabCatalog {
  private labs = new Map<string, LabDefinition>();
  course: Course = { title: 'Labs', sections: [] };
  issues: LabIssue[] = [];
  private stopWatching: (() => void) | null = null;

  constructor(private readonly dir: string) {
    this.reload();
  }

  reload(): void {
    const result = loadLabs(this.dir);
    this.labs = new Map(result.labs.map((l) => [l.id, l]));
    this.course = result.course;
    this.issues = result.issues;
    for (const issue of this.issues) {
      const where = `${issue.file}${issue.line ? `:${issue.line}` : ''}`;
      log.warn({ file: issue.file, line: issue.line, severity: issue.severity, hint: issue.hint }, `lab ${issue.severity}: ${where}: ${issue.message}`);
    }
  }

  watch(): void {
    const handle = watchLabs(this.dir, () => this.reload());
    this.stopWatching = () => handle.close();
  }

  close(): void {
    this.stopWatching?.();
  }

  get(id: string): LabDefinition | undefined {
    return this.labs.get(id);
  }

  all(): LabDefinition[] {
    return [...this.labs.values()];
  }
}
