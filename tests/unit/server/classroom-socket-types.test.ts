/**
 * The instructor socket's payload types and the classroom's `takeover:end`
 * are derived from the zod schemas that validate them (server/contracts):
 * one source of truth. The type checks below fail to compile if a payload
 * type is written by hand and drifts from its schema; the runtime checks hold
 * the event list to the schemas.
 */
import type { z } from 'zod';
import { INSTRUCTOR_EVENTS, instructorInbound, type InstructorClientToServer, type InstructorEvent, type StudentClassroomRequests } from '../../../server/contracts/classroom';
import { inbound } from '../../../server/contracts/protocol';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type PayloadIsSchema = { [E in InstructorEvent]: Equal<Parameters<InstructorClientToServer[E]>[0], z.output<(typeof instructorInbound)[E]>> };

test('every instructor event payload is exactly its schema’s type, and so is takeover:end', () => {
  const instructor: PayloadIsSchema = {
    'class:watch': true,
    'class:unwatch': true,
    'terminal:watch': true,
    'terminal:unwatch': true,
    'terminal:takeover': true,
    'terminal:input': true,
    'terminal:ack': true,
  };
  const takeoverEnd: Equal<Parameters<StudentClassroomRequests['takeover:end']>[0], z.output<(typeof inbound)['takeover:end']>> = true;
  expect(Object.values(instructor).every(Boolean) && takeoverEnd).toBe(true);
});

test('INSTRUCTOR_EVENTS is the list of schemas, and each schema refuses what its type does not allow', () => {
  expect([...INSTRUCTOR_EVENTS].sort()).toEqual(Object.keys(instructorInbound).sort());
  expect(instructorInbound['terminal:takeover'].safeParse({ sessionId: 'abcdefabcdef', terminalId: 't1', active: true }).success).toBe(true);
  expect(instructorInbound['terminal:takeover'].safeParse({ sessionId: 'abcdefabcdef', terminalId: 't1', active: 'yes' }).success).toBe(false);
  expect(instructorInbound['class:watch'].safeParse({ classId: 'c1', extra: 1 }).success).toBe(false);
});
