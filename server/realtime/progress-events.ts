import type { BerthContext } from '../context';
import type { BerthServer, StudentSocket } from './student-socket';

/** Check results and progress reach every socket watching the session. */
export function broadcastProgressEvents(io: BerthServer, ctx: BerthContext): void {
  ctx.bus.on('check', (e) => io.to(`session:${e.sessionId}`).emit('check:result', e));
  ctx.bus.on('progress', (e) => io.to(`session:${e.sessionId}`).emit('progress', { sessionId: e.sessionId, progress: e.progress }));
}

/** Steps, checks, hints, solutions and quizzes: the progress service decides, these only ask it for the student's own session. */
export function registerProgressEvents({ ctx, on, own }: StudentSocket): void {
  on('check:run', async (req, reply) => {
    own(req.sessionId);
    // Refusals first: once we have replied {ok:true}, a later error cannot reach the client.
    ctx.progress.checkable(req.sessionId, req.step);
    reply({ ok: true });
    await ctx.progress.runCheck(req.sessionId, req.step, 'button');
  });

  on('step:goto', (req, reply) => {
    own(req.sessionId);
    ctx.progress.goto(req.sessionId, req.step);
    reply({ ok: true });
  });

  on('hint:reveal', (req, reply) => {
    own(req.sessionId);
    reply(ctx.progress.revealHint(req.sessionId, req.step));
  });

  on('solution:reveal', (req, reply) => {
    own(req.sessionId);
    reply(ctx.progress.revealSolution(req.sessionId, req.step));
  });

  on('quiz:answer', (req, reply) => {
    own(req.sessionId);
    reply(ctx.progress.answerQuiz(req.sessionId, req.step, req.quizId, req.choices));
  });
}
