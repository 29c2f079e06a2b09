/**
 * The instructor pages' tables: the header row from column names. A column
 * of buttons has a name for screen readers only (`{ srOnly: 'Actions' }`).
 */
import type { ComponentChildren } from 'preact';

export type Column = string | { srOnly: string };

export function ITable({ columns, class: extra, children }: { columns: Column[]; class?: string; children: ComponentChildren }) {
  return (
    <table class={extra ? `itable ${extra}` : 'itable'}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col">{typeof c === 'string' ? c : <span class="sr-only">{c.srOnly}</span>}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
