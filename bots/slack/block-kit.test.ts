import { describe, expect, it } from 'vitest';
import { coreActionId, escapeMrkdwn, renderMessage, slackActionId, splitEscaped } from './block-kit.ts';

describe('Slack Block Kit rendering', () => {
  it('escapes &, < and > so typed text cannot form mentions or links', () => {
    expect(escapeMrkdwn('a & b <!here> <@U1> <https://x.test|clic> >')).toBe(
      'a &amp; b &lt;!here&gt; &lt;@U1&gt; &lt;https://x.test|clic&gt; &gt;',
    );
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
  });

  it('renders title, text, fields, buttons and a select, with an escaped fallback text', () => {
    const m = renderMessage({
      title: 'INC-000001 · <b>Stampante</b>',
      text: 'Riga 1 <!channel>\nRiga 2 & fine',
      fields: [{ label: 'Priorità', value: 'P2 <@U9>' }],
      buttons: [
        { actionId: 'ticket.claim', value: 'INC-000001', label: 'Prendo io', style: 'primary' },
        { actionId: 'ticket.details', value: 'INC-000001', label: 'Dettagli' },
      ],
      select: { actionId: 'ticket.assign', placeholder: 'Scegli', options: [{ label: 'Vera', value: 'vera' }] },
    });
    expect(m.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'INC-000001 · <b>Stampante</b>', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Riga 1 &lt;!channel&gt;\nRiga 2 &amp; fine', verbatim: true } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Priorità*\nP2 &lt;@U9&gt;', verbatim: true }] },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'ticket.claim#0',
            text: { type: 'plain_text', text: 'Prendo io', emoji: true },
            value: 'INC-000001',
            style: 'primary',
          },
          {
            type: 'button',
            action_id: 'ticket.details#1',
            text: { type: 'plain_text', text: 'Dettagli', emoji: true },
            value: 'INC-000001',
          },
          {
            type: 'static_select',
            action_id: 'ticket.assign#s',
            placeholder: { type: 'plain_text', text: 'Scegli', emoji: true },
            options: [{ text: { type: 'plain_text', text: 'Vera', emoji: true }, value: 'vera' }],
          },
        ],
      },
    ]);
    expect(m.text).toBe('INC-000001 · &lt;b&gt;Stampante&lt;/b&gt;\nRiga 1 &lt;!channel&gt;\nRiga 2 &amp; fine\nPriorità: P2 &lt;@U9&gt;');
  });

  it('gives buttons of the same action unique action ids and maps them back', () => {
    const m = renderMessage({
      text: 'Valuta',
      buttons: [1, 2, 3].map((n) => ({ actionId: 'ticket.rate', value: `INC-000001:${n}`, label: '★'.repeat(n) })),
    });
    const ids = m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => ('action_id' in e ? e.action_id : '')) : []));
    expect(new Set(ids).size).toBe(3);
    expect(ids.map((id) => coreActionId(id ?? ''))).toEqual(['ticket.rate', 'ticket.rate', 'ticket.rate']);
    expect(coreActionId(slackActionId('intake.kind', 's'))).toBe('intake.kind');
    expect(coreActionId('ticket.claim')).toBe('ticket.claim');
  });

  it('omits an empty button value (Slack rejects it) and skips an empty text section', () => {
    const m = renderMessage({ text: '  ', buttons: [{ actionId: 'intake.keep', value: '', label: 'Tieni' }] });
    expect(m.blocks).toEqual([
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'intake.keep#0', text: { type: 'plain_text', text: 'Tieni', emoji: true } }],
      },
    ]);
    expect(m.text).toBe(' ');
  });

  it('keeps within Slack limits: long text split into sections, never inside an entity; long titles cut', () => {
    const long = `${'<'.repeat(600)}\n${'a'.repeat(5000)}`;
    const pieces = splitEscaped(long);
    expect(pieces.every((p) => p.length <= 3000)).toBe(true);
    expect(pieces.join('')).toBe(escapeMrkdwn(long));
    expect(pieces[0]).toBe(`${'&lt;'.repeat(600)}\n`);
    const m = renderMessage({
      title: 'x'.repeat(400),
      text: long,
      buttons: Array.from({ length: 30 }, (_, i) => ({ actionId: 'a', value: String(i), label: `b${i}` })),
    });
    const header = m.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(150);
    expect(m.blocks.filter((b) => b.type === 'actions').map((b) => (b.type === 'actions' ? b.elements.length : 0))).toEqual([25, 5]);
    expect(m.text.length).toBeLessThanOrEqual(4000);
    expect(m.text).not.toMatch(/&[a-z]*…$/);
  });
});

describe('the wider mention', () => {
  it("only the core's own mention flag produces <!here>; user text never does", () => {
    const flagged = renderMessage({ text: 'INC-000001 aspetta da 4 ore', mention: 'here' });
    expect(flagged.text.startsWith('<!here> ')).toBe(true);
    expect(flagged.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '<!here>' } });
    const plainMessage = renderMessage({ text: '<!here> dal richiedente' });
    expect(JSON.stringify(plainMessage)).not.toContain('<!here>');
  });
});
