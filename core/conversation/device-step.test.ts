import { describe, expect, it } from 'vitest';
import { ticketCategory } from './dialog-handlers.ts';
import type { DeviceChoice, IntakeState } from './dialog-state.ts';
import { answer, question, startIntake } from './intake.ts';
import { understand } from './understand.ts';

const HP: DeviceChoice = { id: 'id-hp', label: 'CI-000001 · HP segreteria', kind: 'printer' };
const NAS: DeviceChoice = { id: 'id-nas', label: 'CI-000002 · nas-sede', kind: 'server' };
const atDevice = (extra: Partial<IntakeState> = {}): IntakeState => ({
  flow: 'intake',
  step: 'device',
  dialogId: 'd',
  kind: 'incident',
  impact: 2,
  urgency: 2,
  title: 'Non va',
  description: 'Non va niente',
  choices: [HP, NAS],
  ...extra,
});
const field = (s: IntakeState) => question('it', s).fields?.find((f) => f.label === 'Dispositivo o servizio')?.value;

describe("the device step with the organisation's configuration items", () => {
  it('offers the items as buttons, then "Altro / non so"', () => {
    const q = question('it', atDevice());
    expect(q.buttons?.map((b) => [b.actionId, b.value, b.label])).toEqual([
      ['intake.item', 'id-hp', 'CI-000001 · HP segreteria'],
      ['intake.item', 'id-nas', 'CI-000002 · nas-sede'],
      ['intake.skip', '', 'Altro / non so'],
    ]);
    // Without items: the old question, with Skip.
    expect(question('it', atDevice({ choices: [] })).buttons?.map((b) => b.label)).toEqual(['Salta']);
  });

  it('a button or a matched typed name sets the item, shown in the summary; other words stay words; skip clears', () => {
    const pressed = answer('it', atDevice(), { action: { id: 'intake.item', value: 'id-nas' } });
    expect(pressed.state).toMatchObject({ step: 'confirm', itemId: 'id-nas', itemKind: 'server', device: NAS.label });
    expect(field(pressed.state)).toBe(NAS.label);
    const typed = answer('it', atDevice(), { text: 'hp segreteria', match: HP });
    expect(typed.state).toMatchObject({ itemId: 'id-hp', itemLabel: HP.label });
    const words = answer('it', { ...typed.state, step: 'device', editing: true }, { text: 'il videoproiettore' });
    expect(words.state.itemId).toBeUndefined();
    expect(field(words.state)).toBe('il videoproiettore');
    const skipped = answer('it', atDevice({ itemId: 'id-hp', itemLabel: HP.label, itemKind: 'printer' }), {
      action: { id: 'intake.skip', value: '' },
    });
    expect(skipped.state).toMatchObject({ device: null });
    expect(skipped.state.itemId).toBeUndefined();
    // A forged item button (not among the choices) is refused.
    expect(answer('it', atDevice(), { action: { id: 'intake.item', value: 'id-else' } }).kind).toBe('invalid');
  });

  it('a first message naming one item fills the device with it; a device it does not name is asked with the buttons', () => {
    const text = 'La HP segreteria non stampa';
    const named = startIntake(text, 'd', understand(text), undefined, { choices: [HP, NAS], named: HP });
    expect(named).toMatchObject({ itemId: 'id-hp', device: HP.label });
    expect(named.prefilled).toContain('device');
    const vague = 'La stampante non stampa';
    const asked = startIntake(vague, 'd', understand(vague), undefined, { choices: [HP, NAS] });
    expect(asked.prefilled ?? []).not.toContain('device');
    // No items registered: the device read from the message stays as it always was.
    expect(startIntake(vague, 'd', understand(vague), undefined, { choices: [] }).prefilled).toContain('device');
  });

  it('the ticket category comes from the item kind, else from the words', () => {
    expect(ticketCategory(atDevice({ itemKind: 'network_device', device: 'switch' }))).toBe('network');
    expect(ticketCategory(atDevice({ device: 'la posta certificata' }))).toBe('email');
    expect(ticketCategory(atDevice({ device: null, title: 'Il sito è giù', description: 'Da ieri' }))).toBe('website');
    expect(ticketCategory(atDevice({ device: null, title: 'Boh', description: 'Non so' }))).toBeNull();
  });
});
