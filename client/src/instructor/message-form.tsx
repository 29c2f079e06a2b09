/** A one-line message from the instructor: to the whole class (broadcast) or to one student. */
import { useState } from 'preact/hooks';
import { errorText } from '../error-text';
import { Outcome } from './feedback';

interface Props {
  id: string;
  label: string;
  button: string;
  /** What the instructor reads once it is sent. */
  sentText: string;
  send: (text: string) => Promise<unknown>;
  class?: string;
}

export function MessageForm({ id, label, button, sentText, send, class: extra }: Props) {
  const [text, setText] = useState('');
  const [sent, setSent] = useState<{ text: string; bad: boolean } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) {
      setSent({ text: 'Type a message first.', bad: true });
      return;
    }
    try {
      await send(text.trim());
      setSent({ text: sentText, bad: false });
      setText('');
    } catch (err) {
      setSent({ text: errorText(err), bad: true });
    }
  };
  return (
    <form class={extra ? `row ${extra}` : 'row'} onSubmit={submit}>
      <label for={id}>{label}</label>
      <input id={id} class="grow" maxLength={500} value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      <button type="submit" class="btn small">
        {button}
      </button>
      <Outcome outcome={sent} />
    </form>
  );
}
