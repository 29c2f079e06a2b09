import fs from 'node:fs';
import path from 'node:path';
import { LAB_ID } from './schema';

/**
 * A starting point for a new lab: every part of the format once (a run block,
 * a check with FAIL: feedback, a hint, a solution, a solve, a quiz), so an
 * instructor edits rather than looks things up. It validates and passes
 * `berth lab test` as written.
 */
export function labTemplate(id: string, title: string): string {
  return `---
id: ${id}
title: ${title}
summary: One sentence that says what the student will be able to do.
difficulty: beginner
minutes: 15
tags: [docker]
prerequisites: []
machines:
  - name: docker
---
Say in a short paragraph why this lab matters, then what the student will do.

## Run a container

Explain the idea first, then ask for one concrete thing. The Run button types
the command into the terminal of the machine named in the block.

\`\`\`run
docker run --name hello hello-world
\`\`\`

\`\`\`check
docker ps -a --format '{{.Names}}' | grep -qx hello || { echo "FAIL: no container named hello yet; run the command above"; exit 1; }
\`\`\`

\`\`\`hint
\`docker run --name NAME IMAGE\` creates and starts a container with that name.
\`\`\`

\`\`\`solution
    docker run --name hello hello-world
\`\`\`

\`\`\`solve
docker run --name hello hello-world
\`\`\`

## Check your understanding

\`\`\`quiz
question: What does \`docker ps -a\` list that \`docker ps\` does not?
choices:
  - text: Stopped containers
    correct: true
  - text: Images
explanation: Without \`-a\`, \`docker ps\` shows only running containers.
\`\`\`

## Finish

Sum up what the student learned, and point to the next lab with \`next:\` in
the front matter.
`;
}

/** Writes labs/<id>/lab.md; refuses a bad id or an existing lab. Returns the file written. */
export function scaffoldLab(labsDir: string, id: string, title?: string): string {
  if (!LAB_ID.test(id)) throw new Error(`"${id}" is not a lab id: use lowercase letters, digits and dashes, such as my-first-lab`);
  const dir = path.join(labsDir, id);
  if (fs.existsSync(dir)) throw new Error(`${dir} already exists; choose another id or edit that lab`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'lab.md');
  const heading = title ?? id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  fs.writeFileSync(file, labTemplate(id, heading));
  return file;
}
