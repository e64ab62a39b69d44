import type { it } from './messages.it.ts';

/** Messages of the escalation feature in English: exactly the keys of the Italian catalog (the type checks it). */
export const en: Readonly<Record<keyof typeof it, string>> = {
  'sla.warn.response':
    '⏰ {ref} (P{priority}, {org}) is still in the queue: first response is due {due}, {remaining} left. Who can take it?',
  'sla.warn.resolution': '⏰ {ref} (P{priority}, «{title}»): resolution is due {due}, {remaining} left.',
  'sla.breach.response': '🚨 Target missed: nobody claimed {ref} (P{priority}, {org}) within {target}.',
  'sla.breach.resolution': '🚨 Target missed: {ref} (P{priority}, {org}) was not resolved within {target}. Owner: {owner}.',
  'sla.requester.breach.response':
    'We are sorry: your request {ref} has not been picked up within the time we aimed for ({target}). It is not forgotten: the coordinators have been told, and I will write to you as soon as someone takes it.',
  'sla.requester.breach.resolution':
    'We are sorry: your request {ref} was not solved within the time we aimed for ({target}). The person working on it has been told and is still on it.',
  'sla.escalation.offer':
    'The volunteers could not solve {ref} in the expected time. If you prefer, we can ask a certified vendor from the register to take it over: it is a paid service with guaranteed times. Shall we ask?',
  'sla.escalation.offer_staff':
    "{ref} (P{priority}, {org}) went past the volunteers' resolution time: handing it to a certified vendor can be offered. The requester got the same offer.",
  'sla.vendor.reannounce': '📣 {ref} (P{priority}, {org}) is engaged to {vendor} and has been waiting {age} for one of you to take it.',
  'sla.vendor.breach.response': '🚨 Commitment missed: {vendor} ({vendorRef}) did not take {ref} (P{priority}, {org}) within {target}.',
  'sla.vendor.breach.resolution':
    '🚨 Commitment missed: {vendor} ({vendorRef}) did not resolve {ref} (P{priority}, {org}) within {target}. Owner: {owner}.',
  'sla.vendor.requester_breach.response':
    'We are sorry: {vendor} did not take your request {ref} within the guaranteed time ({target}). The committee has been told and is following it.',
  'sla.vendor.requester_breach.resolution':
    'We are sorry: {vendor} did not resolve your request {ref} within the guaranteed time ({target}). The committee has been told and is following it.',
  'button.escalate': 'Ask for a vendor',
  'sla.unclaimed.reannounce': '📣 {ref} (P{priority}, {org}) has been waiting {age} for someone to take it. Who can help?',
  'sla.unclaimed.report':
    '{ref} (P{priority}, {org}) has been in the queue with nobody on it for {age}, even after the reminder to the volunteers. Can you find someone for it?',
  'sla.auto_closed':
    'I closed ticket {ref}: it was resolved and no confirmation came in {days} days. If the problem comes back, write to me and we will open a new request.',
  'sla.digest.title': 'Good morning! Open tickets on {date}',
  'sla.digest.counts': 'Open: {open} · in the queue with nobody: {unclaimed} · at risk: {risk} · late: {late}',
  'sla.digest.first': 'Look at these first:',
  'sla.digest.line': '{ref} · P{priority} · {status} · {target}: {clock}',
  'sla.digest.more': '…and {n} more.',
  'sla.digest.calm': 'No ticket at risk. Have a good day!',
  'sla.digest.empty': 'No open tickets. Have a good day!',
};
