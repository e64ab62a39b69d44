import { defineMessages } from '../kernel/i18n.ts';
import { kernelEn, kernelIt } from '../kernel/messages.ts';
import { own as sla } from '../sla/messages.ts';
import { own as tickets } from '../tickets/messages.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/** Messages of the change-management feature, with the ground floor's shared words and those of the features it builds on (sla, tickets). */
export const m = defineMessages({ ...kernelIt, ...sla.it, ...tickets.it, ...it }, { ...kernelEn, ...sla.en, ...tickets.en, ...en });
export const t = m.t;
/** This feature's own catalogs. */
export const own = { it, en };
