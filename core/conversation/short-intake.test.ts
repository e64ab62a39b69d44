import { describe, expect, it } from 'vitest';
import type { IntakeState } from './dialog-state.ts';
import { answer, question, startIntake } from './intake.ts';
import { t } from './messages.ts';
import { understand } from './understand.ts';

const press = (id: string, value = '') => ({ action: { id, value } });
const start = (text: string, offer?: Parameters<typeof startIntake>[3]) => startIntake(text, 'dlg-9', understand(text), offer);

function stepsUntilConfirm(s: IntakeState, inputs: Parameters<typeof answer>[2][]): IntakeState['step'][] {
  const steps: IntakeState['step'][] = [s.step];
  for (const input of inputs) {
    const r = answer('it', s, input);
    expect(r.kind).toBe('ask');
    s = r.state;
    steps.push(s.step);
  }
  return steps;
}

describe('the shorter intake asks only what the first message does not say', () => {
  it('a clear message: only who is affected, then the summary', () => {
    const s = start('La stampante della segreteria non stampa più, siamo fermi');
    expect(s).toMatchObject({
      kind: 'incident',
      urgency: 1,
      device: 'stampante della segreteria',
      title: 'La stampante della segreteria non stampa più',
    });
    expect(stepsUntilConfirm(s, [press('intake.impact', '2')])).toEqual(['impact', 'confirm']);
  });

  it('a vague message: the full intake, as before', () => {
    const s = start('ho un problema');
    expect(s.prefilled).toBeUndefined();
    expect(
      stepsUntilConfirm(s, [
        press('intake.kind', 'incident'),
        press('intake.impact', '2'),
        press('intake.urgency', '2'),
        { text: 'PC lento' },
        press('intake.keep'),
        press('intake.skip'),
      ]),
    ).toEqual(['kind', 'impact', 'urgency', 'title', 'description', 'device', 'confirm']);
  });

  it('a short message with a device: that is not asked again', () => {
    const s = start('Scanner rotto');
    expect(
      stepsUntilConfirm(s, [press('intake.impact', '3'), press('intake.urgency', '3'), { text: 'Scanner rotto' }, press('intake.keep')]),
    ).toEqual(['impact', 'urgency', 'title', 'description', 'confirm']);
  });

  it('the summary says what was understood and offers a correction of every field', () => {
    const s = answer('en', start('The printer is broken, we cannot work'), press('intake.impact', '1')).state;
    const q = question('en', s);
    expect(q.text).toContain(
      t('en', 'intake.understood', { what: 'kind «Incident», urgency «Work has stopped», device «printer»' }).slice(0, 30),
    );
    expect(q.text).toContain('device «printer»');
    expect(q.select?.options.map((o) => o.value)).toEqual(['kind', 'impact', 'urgency', 'title', 'description', 'device']);
  });

  it('a correction asks that field again and comes straight back to the summary', () => {
    let s = answer('it', start('La stampante non stampa, siamo fermi'), press('intake.impact', '3')).state;
    expect(s.step).toBe('confirm');
    let r = answer('it', s, press('intake.edit', 'urgency'));
    expect(r.state).toMatchObject({ step: 'urgency', editing: true });
    r = answer('it', r.state, press('intake.urgency', '3'));
    expect(r.state.step).toBe('confirm');
    expect(r.state.editing).toBeUndefined();
    expect(r.state.urgency).toBe(3);
    // The corrected field is no longer shown as understood.
    expect(question('it', r.state).text).not.toContain('urgenza');
    s = r.state;
    expect(answer('it', s, press('intake.edit', 'nonsense')).kind).toBe('invalid');
    expect(answer('it', s, press('intake.confirm', 'dlg-9')).kind).toBe('confirmed');
  });
});

describe('deflection: solutions offered before the questions', () => {
  const offer = {
    offerId: 'offer-1',
    solutions: [
      {
        kind: 'article' as const,
        ref: 'KB-000001',
        rootRef: 'KB-000001',
        title: 'Stampante offline',
        body: 'Riavvia lo spooler',
        accepted: true,
      },
    ],
  };

  it('comes first, with "Risolto, grazie" and "Apri comunque il ticket"', () => {
    const s = start('La stampante non stampa, siamo fermi', offer);
    expect(s.step).toBe('offer');
    const q = question('it', s);
    expect(q.text).toContain('KB-000001');
    expect(q.buttons?.map((b) => [b.actionId, b.value])).toEqual([
      ['intake.solved', 'offer-1'],
      ['intake.open', 'offer-1'],
    ]);
  });

  it('"Risolto" ends it, "Apri comunque" goes on with the first open question, anything else asks for a button', () => {
    const s = start('La stampante non stampa, siamo fermi', offer);
    expect(answer('it', s, press('intake.solved', 'offer-1')).kind).toBe('solved');
    expect(answer('it', s, press('intake.open', 'offer-1')).state.step).toBe('impact');
    expect(answer('it', s, { text: 'boh' }).kind).toBe('invalid');
  });
});
