/** A student's side of Berth's HTTP API, as the benchmarks use it. */
import { sleep } from './util';

/** POSTs `body` as JSON (with the cookie, if any); the reply's JSON and the cookie it sets. With `expectOk`, a status other than 200 throws. */
export async function post<T = Record<string, any>>(url: string, route: string, body: unknown, cookie?: string, options: { expectOk?: boolean } = {}): Promise<{ json: T; cookie: string | null }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (options.expectOk && res.status !== 200) throw new Error(`${route}: ${res.status} ${JSON.stringify(json)}`);
  return { json, cookie: res.headers.get('set-cookie') };
}

export interface LabOptions {
  /** How many times the session is read, 100 ms apart, before giving up (1200). */
  tries?: number;
  /** Names the lab in the error when it does not start (`<name>'s lab <labId>`). */
  what?: string;
}

/** Joins, starts the lab, waits until it runs; returns the cookie and session id. */
export async function studentWithLab(url: string, name: string, labId: string, options: LabOptions = {}): Promise<{ cookie: string; sessionId: string }> {
  const { tries = 1200, what = `${name}'s lab ${labId}` } = options;
  const cookie = (await post(url, '/api/join', { name })).cookie!.split(';')[0];
  const sessionId: string = (await post(url, '/api/sessions', { labId }, cookie)).json.session.id;
  for (let i = 0; ; i++) {
    const res = await fetch(`${url}/api/sessions/${sessionId}`, { headers: { cookie } });
    const session = ((await res.json()) as { session: { state: string; error?: string } }).session;
    if (session.state === 'running') return { cookie, sessionId };
    if (session.state === 'failed' || i > tries) throw new Error(`${what} did not start: ${session.state} ${session.error ?? ''}`);
    await sleep(100);
  }
}
