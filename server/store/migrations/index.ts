/**
 * Every schema step, in order. Add a step as its own file and one line here;
 * never edit a released step.
 */
import type { Migration } from '../migrate';
import { initial } from './001-initial';
import { classroom } from './002-classroom';
import { results } from './003-results';
import { stepSetup } from './004-step-setup';
import { studentAttempts } from './005-student-attempts';
import { keptAnswers } from './006-kept-answers';
import { pauseReason } from './007-pause-reason';

export const MIGRATIONS: Migration[] = [initial, classroom, results, stepSetup, studentAttempts, keptAnswers, pauseReason];
