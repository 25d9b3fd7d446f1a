"""Own article texts for the near-duplicate tests: one fictional wire story, its copies and its look-alikes."""

from __future__ import annotations

P = [
    "PORTHAVEN, May 6 (Harbour Wire) - Ferry crews at the port of Porthaven stopped work on Tuesday after talks "
    "with the operator over night-shift pay broke down, stranding about four thousand passengers and leaving "
    "dozens of lorries queued along the coast road into the town.",
    "The crew union said its members would stay off the boats for at least forty-eight hours unless the "
    "operator, Bluewater Lines, withdrew a plan to cut the overnight allowance by a third from next month.",
    "\"Nobody on these decks wants to strand families at the start of the holidays, but the company left us "
    "no choice,\" union organiser Marta Keel told reporters at the terminal gates on Tuesday morning.",
    "Bluewater Lines said in a statement that it regretted the disruption, had offered to phase the change "
    "in over two years and was arranging coaches to carry foot passengers to the airport at Westmere.",
    "The harbour master closed two of the four loading berths to make room for stranded lorries, and police "
    "asked drivers heading for the port to wait at a service area twenty kilometres inland.",
    "The last stoppage at Porthaven, in the autumn of 2019, lasted five days and ended when the regional "
    "government appointed a mediator, who recommended a pay settlement that both sides accepted.",
    "Freight operators warned that a long strike would hit supplies of fresh produce to the islands, which "
    "depend on the overnight sailings for most of their food and medicine.",
]
ORIGINAL = "\n\n".join(P)
# the same wire story, trimmed by a client to under half its length and retitled
TRIMMED = "\n\n".join([P[0], P[3]])
# a client's copy that opens with an editor's note
NOTED = "\n\n".join(["Editor's note: this wire report has been shortened.", P[0], P[2], P[4]])
# the longer UPDATE version, stored first, and the earlier, shorter take it contains
UPDATED = "\n\n".join([*P,
    "Late on Tuesday the regional transport minister, Ilse Varga, said she had asked both sides to meet "
    "again on Wednesday at her offices and would consider naming a mediator if that meeting failed.",
    "Bluewater Lines said it would attend. The union said it would decide overnight whether to join.",
])
FIRST_TAKE = "\n\n".join([P[0], P[1], P[2]])
# a copy keeping the lead verbatim but rewording the rest lightly
REWORDED = "\n\n".join([
    P[0],
    "The crew union said members would stay away from the boats for at least two days unless Bluewater Lines "
    "dropped its plan to cut the overnight allowance by a third from next month.",
    "\"Nobody on these decks wants to strand families at the start of the holidays, but the company left us "
    "no choice,\" organiser Marta Keel said outside the terminal.",
    "In a statement Bluewater Lines said it was sorry for the disruption, that it had offered to bring the "
    "change in gradually over two years, and that coaches would take foot passengers to Westmere airport.",
])
# another outlet's own write-up of the same event: same facts, names and quote, own sentences
OWN_REPORT = "\n\n".join([
    "Thousands of holidaymakers were stuck in Porthaven on Tuesday as ferry crews walked out in a row with "
    "Bluewater Lines over plans to trim what they are paid for working through the night.",
    "Queues of lorries stretched back along the coast road by mid-morning, and the harbour master shut two "
    "berths so that hauliers had somewhere to park while the dispute went on.",
    "\"Nobody on these decks wants to strand families at the start of the holidays, but the company left us "
    "no choice,\" union organiser Marta Keel told reporters at the terminal gates on Tuesday morning.",
    "The operator wants to reduce the overnight allowance by a third; it says it has offered to spread the cut "
    "over two years and has laid on coaches to Westmere airport for foot passengers.",
])
# a new story two days later that reuses the original's background paragraphs
FOLLOW_UP = "\n\n".join([
    "PORTHAVEN, May 8 (Harbour Wire) - Ferries sailed again from Porthaven on Thursday after Bluewater Lines "
    "agreed to keep the overnight allowance unchanged until the end of the year while a review is carried out.",
    "The union said the deal was a fair pause and that crews would be back on the morning sailings to the "
    "islands, where shops had begun to run short of bread and milk.",
    P[5],
    P[6],
    P[3],
])
