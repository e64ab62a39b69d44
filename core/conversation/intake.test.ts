import { describe, expect, it } from 'vitest';
import { type Locale } from '../kernel/i18n.ts';
import type { OutMessage } from '../kernel/message.ts';
import { DESCRIPTION_MAX, TITLE_MAX } from '../tickets/create-ticket.ts';
import type { IntakeState } from './dialog-state.ts';
import { answer, type IntakeStep, question } from './intake.ts';
import { t } from './messages.ts';

const start = (extra: Partial<IntakeState> = {}): IntakeState => ({ flow: 'intake', step: 'kind', dialogId: 'dlg-1', ...extra });
const press = (id: string, value = '') => ({ action: { id, value } });
const type = (text: string) => ({ text });
const ids = (m: OutMessage) => (m.buttons ?? []).map((b) => b.actionId);

/** Feeds answers one after the other, asserting each one is accepted. */
function drive(l: Locale, s: IntakeState, inputs: Parameters<typeof answer>[2][]): { state: IntakeState; last: IntakeStep } {
  let last: IntakeStep | undefined;
  for (const input of inputs) {
    last = answer(l, s, input);
    expect(last.kind, JSON.stringify({ step: s.step, input })).not.toBe('invalid');
    s = last.state;
  }
  return { state: s, last: last as IntakeStep };
}

const atStep = (step: IntakeState['step'], extra: Partial<IntakeState> = {}): IntakeState =>
  start({ kind: 'incident', impact: 2, urgency: 1, title: 'Stampante', description: 'Non stampa', device: null, ...extra, step });

describe('intake dialog, driven with buttons', () => {
  it('goes kind → impact → urgency → title → description → device → confirm → confirmed', () => {
    let s = start();
    const steps: IntakeState['step'][] = [];
    for (const input of [
      press('intake.kind', 'service_request'),
      press('intake.impact', '1'),
      press('intake.urgency', '2'),
      type('Nuovo account di posta'),
      type('Serve una casella per la nuova volontaria.'),
      press('intake.skip'),
    ]) {
      const r = answer('it', s, input);
      expect(r.kind).toBe('ask');
      if (r.kind !== 'ask') return;
      expect(r.message).toEqual(question('it', r.state));
      s = r.state;
      steps.push(s.step);
    }
    expect(steps).toEqual(['impact', 'urgency', 'title', 'description', 'device', 'confirm']);
    expect(s).toEqual({
      flow: 'intake',
      step: 'confirm',
      dialogId: 'dlg-1',
      kind: 'service_request',
      impact: 1,
      urgency: 2,
      title: 'Nuovo account di posta',
      description: 'Serve una casella per la nuova volontaria.',
      device: null,
    });
    const done = answer('it', s, press('intake.confirm', 'dlg-1'));
    expect(done).toEqual({ kind: 'confirmed', state: s });
  });

  it('the summary shows kind, title, priority from the matrix and device', () => {
    const { last } = drive('en', start(), [
      press('intake.kind', 'incident'),
      press('intake.impact', '1'),
      press('intake.urgency', '2'),
      type('  Printer down  '),
      type('Nothing prints since Monday'),
      type('Front desk PC'),
    ]);
    expect(last.kind).toBe('ask');
    if (last.kind !== 'ask') return;
    expect(last.message.title).toBe(t('en', 'intake.summary_title'));
    expect(last.message.text).toBe('Nothing prints since Monday');
    expect(last.message.fields).toEqual([
      { label: 'Kind', value: 'Incident' },
      { label: 'Title', value: 'Printer down' },
      { label: 'Priority', value: 'P2' },
      { label: 'Device or service', value: 'Front desk PC' },
    ]);
  });
});

describe('intake dialog, driven with typed answers', () => {
  it.each([
    ['guasto', 'incident'],
    ['Il PC è rotto', 'incident'],
    ['an incident', 'incident'],
    ['Richiesta', 'service_request'],
    ['service request', 'service_request'],
    ['una modifica', 'change'],
    ['CHANGE', 'change'],
  ])('kind %j → %s', (text, kind) => {
    const r = answer('it', start(), type(text));
    expect(r.kind).toBe('ask');
    expect(r.state.kind).toBe(kind);
    expect(r.state.step).toBe('impact');
  });

  it('reaches confirmation with text only (except the final Confirm button)', () => {
    const { state } = drive('it', start(), [
      type('modifica'),
      type('3'),
      type(' 3 '),
      type('Nuovo Wi-Fi'),
      type('Vorremmo un access point in sala riunioni.'),
      type('Router sala riunioni'),
    ]);
    expect(state).toMatchObject({ step: 'confirm', kind: 'change', impact: 3, urgency: 3, device: 'Router sala riunioni' });
    expect(answer('it', state, press('intake.confirm', state.dialogId)).kind).toBe('confirmed');
  });

  it('a long device name is cut to 200 characters', () => {
    const r = answer('it', atStep('device'), type('x'.repeat(300)));
    expect(r.state.device).toHaveLength(200);
  });
});

describe('invalid answers keep the step and prefix the error to the question', () => {
  it.each<[string, IntakeState, Parameters<typeof answer>[2], Parameters<typeof t>[1], number]>([
    ['kind: unknown word', start(), type('boh'), 'intake.use_buttons', 0],
    ['kind: empty', start(), type(''), 'intake.use_buttons', 0],
    ['kind: unknown button value', start(), press('intake.kind', 'problem'), 'intake.use_buttons', 0],
    ['impact: 0', atStep('impact'), type('0'), 'intake.use_buttons', 0],
    ['impact: 4', atStep('impact'), type('4'), 'intake.use_buttons', 0],
    ['impact: words', atStep('impact'), type('tutti'), 'intake.use_buttons', 0],
    ['impact: a button of another step', atStep('impact'), press('intake.urgency', '1'), 'intake.use_buttons', 0],
    ['urgency: 1.5', atStep('urgency'), type('1.5'), 'intake.use_buttons', 0],
    ['urgency: empty', atStep('urgency'), type('   '), 'intake.use_buttons', 0],
    ['title: empty', atStep('title'), type('   '), 'intake.empty', 0],
    ['title: too long', atStep('title'), type('x'.repeat(TITLE_MAX + 1)), 'intake.too_long', TITLE_MAX],
    ['description: empty', atStep('description'), type(''), 'intake.empty', 0],
    ['description: keep without a first text', atStep('description'), press('intake.keep'), 'intake.empty', 0],
    ['description: too long', atStep('description'), type('x'.repeat(DESCRIPTION_MAX + 1)), 'intake.too_long', DESCRIPTION_MAX],
    ['device: empty', atStep('device'), type(''), 'intake.empty', 0],
    ['confirm: wrong dialogId', atStep('confirm'), press('intake.confirm', 'dlg-OLD'), 'intake.use_buttons', 0],
    ['confirm: typed yes', atStep('confirm'), type('sì'), 'intake.use_buttons', 0],
    ['confirm: another button', atStep('confirm'), press('intake.skip'), 'intake.use_buttons', 0],
  ])('%s', (_name, s, input, errorKey, max) => {
    for (const l of ['it', 'en'] as const) {
      const r = answer(l, s, input);
      expect(r.kind).toBe('invalid');
      if (r.kind !== 'invalid') return;
      expect(r.state).toEqual(s);
      const q = question(l, s);
      expect(r.message.text).toBe(`${t(l, errorKey, { max })}\n${q.text}`);
      expect(r.message.buttons).toEqual(q.buttons);
      expect(r.message.fields).toEqual(q.fields);
    }
  });

  it('a title of exactly TITLE_MAX characters is accepted, one more is refused', () => {
    expect(answer('it', atStep('title'), type('x'.repeat(TITLE_MAX))).kind).toBe('ask');
    const r = answer('it', atStep('title'), type('x'.repeat(TITLE_MAX + 1)));
    expect(r.kind).toBe('invalid');
    if (r.kind !== 'invalid') return;
    expect(r.message.text.startsWith(t('it', 'intake.too_long', { max: TITLE_MAX }))).toBe(true);
    expect(r.message.text).toContain(String(TITLE_MAX));
  });

  it('a refused confirmation creates nothing and a later correct one still works', () => {
    const s = atStep('confirm');
    const wrong = answer('it', s, press('intake.confirm', 'dlg-2'));
    expect(wrong.kind).toBe('invalid');
    expect(answer('it', wrong.state, press('intake.confirm', 'dlg-1')).kind).toBe('confirmed');
  });
});

describe("'intake.keep' uses the first text as the description", () => {
  const first = 'La stampante del primo piano non stampa da lunedì';

  it('takes firstText when the button is pressed', () => {
    const r = answer('it', atStep('description', { description: undefined, firstText: first }), press('intake.keep'));
    expect(r.kind).toBe('ask');
    expect(r.state.description).toBe(first);
    expect(r.state.step).toBe('device');
  });

  it('a typed description still wins over firstText', () => {
    const r = answer('it', atStep('description', { description: undefined, firstText: first }), type('Altro testo'));
    expect(r.state.description).toBe('Altro testo');
  });

  it('the description question offers firstText and the keep button', () => {
    const q = question('en', atStep('description', { firstText: first }));
    expect(q.text).toBe(t('en', 'intake.ask_description_or_keep', { text: first }));
    expect(q.text).toContain(first);
    expect(ids(q)).toEqual(['intake.keep']);
  });
});

describe('question()', () => {
  it.each<[string, IntakeState, string[]]>([
    ['kind', start(), ['intake.kind', 'intake.kind', 'intake.kind', 'intake.cancel']],
    ['impact', atStep('impact'), ['intake.impact', 'intake.impact', 'intake.impact']],
    ['urgency', atStep('urgency'), ['intake.urgency', 'intake.urgency', 'intake.urgency']],
    ['title', atStep('title'), []],
    ['description without first text', atStep('description'), []],
    ['description with first text', atStep('description', { firstText: 'ciao' }), ['intake.keep']],
    ['device', atStep('device'), ['intake.skip']],
    ['confirm', atStep('confirm'), ['intake.confirm', 'intake.cancel']],
  ])('%s → %j', (_name, s, actionIds) => {
    expect(ids(question('it', s))).toEqual(actionIds);
  });

  it('button values: kinds, levels 1-3, the dialog id on confirm', () => {
    expect(question('it', start()).buttons?.map((b) => b.value)).toEqual(['incident', 'service_request', 'change', '']);
    expect(question('it', atStep('impact')).buttons?.map((b) => b.value)).toEqual(['1', '2', '3']);
    expect(question('it', atStep('urgency')).buttons?.map((b) => b.value)).toEqual(['1', '2', '3']);
    const confirm = question('it', atStep('confirm')).buttons ?? [];
    expect(confirm[0]).toMatchObject({ actionId: 'intake.confirm', value: 'dlg-1', style: 'primary' });
  });

  it('labels come from the catalog in the asked language', () => {
    expect(question('en', start()).buttons?.map((b) => b.label)).toEqual(['Incident', 'Request', 'Change', 'Cancel']);
    expect(question('it', atStep('impact')).buttons?.map((b) => b.label)).toEqual([
      t('it', 'impact.1'),
      t('it', 'impact.2'),
      t('it', 'impact.3'),
    ]);
    expect(question('it', atStep('title')).text).toBe(t('it', 'intake.ask_title', { max: TITLE_MAX }));
  });

  it('the summary without impact or urgency falls back to P5 and dashes', () => {
    const q = question('it', start({ step: 'confirm' }));
    expect(q.fields?.map((f) => f.value)).toEqual(['—', '—', 'P5', '—']);
  });
});
