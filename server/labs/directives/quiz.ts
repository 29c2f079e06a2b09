import YAML, { LineCounter, type Node as YamlNode } from 'yaml';
import { yamlMessage } from '../front-matter';
import type { Issues } from '../issues';
import { renderInline, renderMarkdown } from '../render';
import { nearest } from '../schema';
import type { Quiz } from '../types';
import type { Directive } from './directive';

function parseQuiz(text: string, id: string, fenceLine: number, issues: Issues): Quiz | null {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true });
  const lineAt = (offset: number) => fenceLine + lineCounter.linePos(offset).line;
  if (doc.errors.length) {
    const err = doc.errors[0];
    issues.error(err.linePos ? fenceLine + err.linePos[0].line : fenceLine, `invalid YAML in quiz: ${yamlMessage(err.message)}`, {
      hint: 'a quiz holds question:, choices: (a list of - text: ... with correct: true on the right ones) and explanation:',
    });
    return null;
  }
  const data: unknown = doc.toJS();
  const at = (key: string) => {
    const node = doc.getIn([key], true) as YamlNode | undefined;
    return node?.range ? lineAt(node.range[0]) : fenceLine;
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    issues.error(fenceLine, 'a quiz must be YAML with question:, choices: and explanation:', { hint: 'see the quiz example in docs/lab-format.md' });
    return null;
  }
  const q = data as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!['question', 'choices', 'explanation', 'multiple'].includes(key)) {
      const guess = nearest(key, ['question', 'choices', 'explanation', 'multiple']);
      issues.error(at(key), `unknown quiz field "${key}"`, { field: key, hint: guess ? `did you mean "${guess}"?` : 'a quiz has question, choices, explanation, multiple' });
    }
  }
  if (typeof q.question !== 'string' || !q.question.trim()) {
    issues.error(at('question'), 'the quiz has no question', { field: 'question', hint: 'add question: followed by the question text' });
    return null;
  }
  if (!Array.isArray(q.choices) || q.choices.length < 2) {
    issues.error(at('choices'), 'a quiz needs at least two choices', { field: 'choices', hint: 'list them under choices:, e.g. - text: Type 1 hypervisor' });
    return null;
  }
  const choices: Array<{ html: string; correct: boolean }> = [];
  q.choices.forEach((c: unknown, i: number) => {
    const node = doc.getIn(['choices', i], true) as YamlNode | undefined;
    const line = node?.range ? lineAt(node.range[0]) : at('choices');
    if (typeof c === 'string' || typeof c === 'number') {
      choices.push({ html: renderInline(String(c)), correct: false });
    } else if (c && typeof c === 'object' && typeof (c as Record<string, unknown>).text === 'string') {
      const choice = c as Record<string, unknown>;
      if (choice.correct !== undefined && typeof choice.correct !== 'boolean') {
        issues.error(line, `"correct" must be true or false, got ${JSON.stringify(choice.correct)}`, { field: `choices[${i}].correct`, hint: 'write correct: true, or leave it out' });
      }
      choices.push({ html: renderInline(String(choice.text)), correct: choice.correct === true });
    } else {
      issues.error(line, `choice ${i + 1} has no text`, { field: `choices[${i}]`, hint: 'write - text: the answer (and correct: true on the right ones)' });
    }
  });
  if (q.multiple !== undefined && typeof q.multiple !== 'boolean') {
    issues.error(at('multiple'), 'multiple must be true or false', { field: 'multiple', hint: 'write multiple: true' });
  }
  const correct = choices.filter((c) => c.correct).length;
  if (correct === 0) {
    issues.error(at('choices'), 'the quiz has no correct choice', {
      field: 'choices',
      hint: 'mark the right answer with correct: true',
    });
  } else if (correct > 1 && q.multiple !== true) {
    issues.error(at('choices'), `the quiz marks ${correct} choices correct but is single-choice`, {
      field: 'multiple',
      hint: 'add multiple: true, or leave only one choice correct',
    });
  }
  if (q.explanation !== undefined && typeof q.explanation !== 'string') {
    issues.error(at('explanation'), 'the explanation must be text', { field: 'explanation', hint: 'write explanation: followed by text (use | for several lines)' });
  }
  return {
    id,
    questionHtml: renderMarkdown(q.question),
    multiple: q.multiple === true,
    choices,
    explanationHtml: typeof q.explanation === 'string' ? renderMarkdown(q.explanation) : '',
    line: fenceLine,
  };
}

export const quiz: Directive = {
  name: 'quiz',
  summary: 'YAML: `question`, `choices` (list of `{text, correct?: true}`), `explanation`; `multiple: true` if more than one may be correct',
  attributes: [],
  allowedIn: ['step'],
  build(b, ctx) {
    const id = ctx.nextId('quiz');
    const parsed = parseQuiz(b.token.text, id, b.line, ctx.issues);
    if (parsed) {
      ctx.out.quizzes.push(parsed);
      ctx.out.blocks.push({ kind: 'quiz', id });
      ctx.place(id);
    }
  },
};
