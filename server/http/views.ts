import type { LabSummaryView, SessionView, StepView, ViewBlock } from '../contracts/protocol';
import type { LabCatalog } from '../labs/catalog';
import { substituteVariables, type LabVariables } from '../labs/render';
import type { ClientBlock, LabDefinition } from '../labs/types';
import type { ProgressService } from '../sessions/progress-service';
import type { SessionManager } from '../sessions/session-manager';
import type { SessionRow, Store } from '../store/database';

/** `key` (server/http/port-proxy.ts proxyKey) lets the sandboxed page's own requests through without cookies. */
export function portUrl(sessionId: string, machine: string, port: number, path = '/', key = '', origin = ''): string {
  return `${origin}/s/${sessionId}${key ? `-${key}` : ''}/${machine}/${port}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * Turns loaded labs and stored sessions into what the browser is allowed to
 * see: checks, solves and setup scripts never leave the server.
 */
export class Views {
  constructor(
    private readonly catalog: LabCatalog,
    private readonly store: Store,
    private readonly sessions: SessionManager,
    private readonly progress: ProgressService,
    private readonly portKey: (sessionId: string) => string = () => '',
    /** BERTH_PROXY_ORIGIN, or '' for Berth's own origin. */
    private readonly portOrigin = '',
  ) {}

  labSummaries(studentId: string): LabSummaryView[] {
    const progress = new Map(this.store.allProgress(studentId).map((p) => [p.labId, p]));
    const live = new Map(this.store.studentSessions(studentId).map((s) => [s.labId, s.id]));
    const order = new Map<string, { section: string; order: number }>();
    let n = 0;
    for (const section of this.catalog.course.sections) for (const id of section.labs) order.set(id, { section: section.title, order: n++ });
    return this.catalog
      .all()
      .map((lab) => {
        const p = progress.get(lab.id);
        return {
          id: lab.id,
          title: lab.title,
          summary: lab.summary,
          difficulty: lab.difficulty,
          minutes: lab.minutes,
          tags: lab.tags,
          prerequisites: lab.prerequisites,
          section: order.get(lab.id)?.section ?? null,
          order: order.get(lab.id)?.order ?? 1000,
          stepCount: lab.steps.length,
          completedSteps: p?.completed.length ?? 0,
          finished: Boolean(p?.finishedAt),
          activeSessionId: live.get(lab.id) ?? null,
        };
      })
      .sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  }

  session(row: SessionRow, studentName: string): SessionView {
    const lab = this.catalog.get(row.labId);
    if (!lab) throw new Error(`lab ${row.labId} is not loaded`);
    const vars: LabVariables = {
      student: studentName,
      machines: lab.machines.map((m) => m.name),
      urlFor: (machine, port) => portUrl(row.id, machine, port, '/', this.portKey(row.id), this.portOrigin),
    };
    const next = lab.next ? this.catalog.get(lab.next) : undefined;
    return {
      id: row.id,
      labId: row.labId,
      state: row.state,
      queuePosition: this.sessions.queuePosition(row.id),
      detail: this.sessions.detail(row.id),
      error: row.error ?? undefined,
      expiresAt: row.expiresAt,
      extensionsLeft: this.sessions.extensionsLeft(row),
      machines: lab.machines.map((m) => m.name),
      tabs: lab.tabs.map((t) => ({ title: t.title, machine: t.machine, port: t.port, url: portUrl(row.id, t.machine, t.port, t.path, this.portKey(row.id), this.portOrigin) })),
      lab: {
        id: lab.id,
        title: lab.title,
        summary: lab.summary,
        introHtml: substituteVariables(lab.introHtml, vars, 'html'),
        introBlocks: this.blocks(lab, lab.introBlocks, vars, -1),
        steps: lab.steps.map((s) => this.step(lab, s.index, vars)),
        finish: lab.finish ? { title: lab.finish.title, html: substituteVariables(lab.finish.html, vars, 'html') } : null,
        next: next ? { id: next.id, title: next.title } : null,
      },
      progress: this.progress.view(row),
    };
  }

  private step(lab: LabDefinition, index: number, vars: LabVariables): StepView {
    const s = lab.steps[index];
    return {
      index,
      id: s.id,
      title: s.title,
      html: substituteVariables(s.html, vars, 'html'),
      blocks: this.blocks(lab, s.blocks, vars, index),
      hasCheck: s.checks.length > 0,
      hintCount: s.hintsHtml.length,
      hasSolution: s.solutionHtml !== null,
    };
  }

  private blocks(lab: LabDefinition, blocks: ClientBlock[], vars: LabVariables, stepIndex: number): ViewBlock[] {
    return blocks.map((b): ViewBlock => {
      switch (b.kind) {
        case 'run':
          return { ...b, command: substituteVariables(b.command, vars, 'text') };
        case 'copy':
          return { ...b, text: substituteVariables(b.text, vars, 'text') };
        case 'edit':
          return { ...b, text: substituteVariables(b.text, vars, 'text') };
        case 'quiz': {
          const quiz = lab.steps[stepIndex]?.quizzes.find((q) => q.id === b.id);
          return {
            kind: 'quiz',
            id: b.id,
            questionHtml: quiz?.questionHtml ?? '',
            multiple: quiz?.multiple ?? false,
            choices: quiz?.choices.map((c) => c.html) ?? [],
          };
        }
      }
    });
  }
}
