import type { BerthConfig } from '../config';
import type { EventBus } from '../events';
import type { LabCatalog } from '../labs/catalog';
import type { Store } from '../store/database';
import { AuditLog } from './audit';
import { ClassService } from './classes';
import { InstructorService } from './instructors';
import { JoinService } from './joining';
import type { PrewarmScheduler } from './prewarm';

export interface Classroom {
  classes: ClassService;
  audit: AuditLog;
  instructors: InstructorService;
  joins: JoinService;
  /** Set by a serving Berth (it needs the backend); absent in the CLI. */
  prewarm?: PrewarmScheduler;
}

/** The classroom services, built once per Berth over its store. */
export function createClassroom(config: BerthConfig, store: Store, catalog: LabCatalog, bus: EventBus): Classroom {
  const audit = new AuditLog(store.classroom);
  const classes = new ClassService(store, store.classroom, catalog);
  const instructors = new InstructorService(config, store, store.classroom, audit, bus);
  const joins = new JoinService(config, store.classroom, classes);
  return { classes, audit, instructors, joins };
}
