/**
 * Every schema step, in order. Add a step as its own file and one line here;
 * never edit a released step.
 */
import type { Migration } from '../migrate';
import { initial } from './001-initial';

export const MIGRATIONS: Migration[] = [initial];
