import { own as alerts } from '../alerts/messages.ts';
import { defineMessages } from '../kernel/i18n.ts';
import { kernelEn, kernelIt } from '../kernel/messages.ts';
import { own as vendors } from '../vendors/messages.ts';
import { en } from './messages.en.ts';
import { it } from './messages.it.ts';

/**
 * Messages of the dashboard, with the ground floor's shared words (ticket kinds, roles) and the
 * labels it borrows: alert kinds and severities (alerts), committee decisions (vendors).
 */
export const m = defineMessages({ ...kernelIt, ...alerts.it, ...vendors.it, ...it }, { ...kernelEn, ...alerts.en, ...vendors.en, ...en });
export const t = m.t;
/** This feature's own catalogs. */
export const own = { it, en };
