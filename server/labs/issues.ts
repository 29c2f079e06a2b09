import type { LabIssue } from './types';

/** The problems found in one lab.md while parsing it, in the order they were found. */
export class Issues {
  readonly list: LabIssue[] = [];
  constructor(private readonly file: string) {}
  error(line: number | undefined, message: string, extra: { field?: string; hint?: string } = {}): void {
    this.list.push({ severity: 'error', file: this.file, line, message, ...extra });
  }
  warning(line: number | undefined, message: string, extra: { field?: string; hint?: string } = {}): void {
    this.list.push({ severity: 'warning', file: this.file, line, message, ...extra });
  }
  get hasErrors(): boolean {
    return this.list.some((i) => i.severity === 'error');
  }
}
