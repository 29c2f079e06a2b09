/**
 * Co-teachers: an instructor added to an existing class sees it and its live
 * grid; one taken off loses both; an unknown id is refused by field.
 */
import fs from 'node:fs';
import { api, startBerth, type Berth } from './harness';
import { addInstructor, createClass, liveLabsDir, setupOwner, type Instructor } from './live-helpers';

jest.setTimeout(60_000);

let labsDir: string;
let berth: Berth;
let owner: Instructor;
let bea: Instructor;
let classId: string;

beforeAll(async () => {
  labsDir = liveLabsDir();
  berth = await startBerth('ct-coteach', { BERTH_LABS_DIR: labsDir });
  owner = await setupOwner(berth);
  bea = await addInstructor(berth, owner, 'Bea', 'bea@school.test');
  classId = (await createClass(berth, owner, 'Period 5', ['three-steps'])).id;
});

afterAll(async () => {
  await berth?.dispose();
  if (labsDir) fs.rmSync(labsDir, { recursive: true, force: true });
});

const beaSees = async () => {
  const list = await api(berth.url, 'GET', '/api/instructor/classes', { cookie: bea.cookie });
  const grid = await api(berth.url, 'GET', `/api/instructor/classes/${classId}/grid`, { cookie: bea.cookie });
  return { listed: (list.json.classes as Array<{ id: string }>).some((c) => c.id === classId), grid: grid.status };
};

test('an instructor added to a class sees it and its grid; taken off, neither', async () => {
  expect(await beaSees()).toEqual({ listed: false, grid: 404 });

  const added = await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { instructorIds: [owner.id, bea.id] } });
  expect(added.status).toBe(200);
  expect(added.json.class.instructors.map((i: { name: string }) => i.name).sort()).toEqual(['Bea', owner.name].sort());
  expect(await beaSees()).toEqual({ listed: true, grid: 200 });

  const audit = await api(berth.url, 'GET', `/api/instructor/audit?classId=${classId}`, { cookie: owner.cookie });
  expect((audit.json.entries as Array<{ action: string; detail: { instructorIds?: string[] } }>).some((e) => e.action === 'class.update' && e.detail.instructorIds?.includes(bea.id))).toBe(true);

  const removed = await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { instructorIds: [owner.id] } });
  expect(removed.status).toBe(200);
  expect(await beaSees()).toEqual({ listed: false, grid: 404 });
});

test('an unknown instructor id is refused naming the field, and nothing changes', async () => {
  const bad = await api(berth.url, 'PATCH', `/api/instructor/classes/${classId}`, { cookie: owner.cookie, body: { instructorIds: [bea.id, 'nobody'] } });
  expect(bad.status).toBe(400);
  expect(bad.json.error).toMatch(/^instructorIds: no instructor with id "nobody"/);
  expect(await beaSees()).toEqual({ listed: false, grid: 404 });
});
