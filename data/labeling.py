"""Labeling functions per label and their aggregation into weak labels.

A labeling function (LF) reads an article and votes POSITIVE, NEGATIVE or ABSTAIN for one label.
Patterns look for the topic in context (who did what, within one sentence: ``[^.]{0,N}``), and
negative LFs catch the look-alikes the guideline names (cardiac arrest, Visa the card company,
Consul the company, companies' profit warnings).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

LABELS = ("diplomatic_warning", "arrest", "consular")
POSITIVE, ABSTAIN, NEGATIVE = 1, 0, -1
PRIOR_PRECISION, PRIOR_STRENGTH = 0.7, 2.0
LEAD_CHARS = 400

# Actors whose warnings are diplomatic: state voices on foreign affairs.
_STATE = (r"(foreign (minister|ministry|office|secretary)|state department|secretary of state|embassy|"
          r"ministry|government|president|prime minister|premier|spokes(man|woman|person)|chancellor|"
          r"kremlin|white house|beijing|tehran|pyongyang|washington|moscow|tokyo|seoul|islamabad|"
          r"new delhi|london|paris|ankara|riyadh|damascus|baghdad|taipei|kabul|officials?)")
# Countries and capitals that headlines use for their governments ("NKorea warns Japan").
_COUNTRY = (r"(u\.?s\.?|united states|america|britain|uk|china|chinese|russia|russian|japan|japanese|iran|iranian|"
            r"iraq|iraqi|israel|israeli|syria|syrian|turkey|turkish|north korea|n\.? ?korea|pyongyang|south korea|"
            r"seoul|india|indian|pakistan|pakistani|france|french|germany|german|canada|canadian|cuba|cuban|"
            r"venezuela|venezuelan|mexico|sudan|sudanese|egypt|saudi|saudi arabia|qatar|uae|lebanon|ukraine|"
            r"ukrainian|poland|australia|australian|indonesia|philippines|taiwan|vietnam|libya|yemen|afghanistan|"
            r"kremlin|beijing|tehran|tokyo|moscow|washington|ankara|damascus|riyadh|nato|eu)")


def word_not_starting(*phrases: str) -> str:
    """A word character at which none of ``phrases`` begins: the same as ``(?!phrase|...)\\w`` without
    lookaround, which multi-pattern engines (Hyperscan, RE2) lack. Spelled out per prefix: after
    each proper prefix of a phrase, a character that continues none of them, or the end."""
    alts = []
    for prefix in sorted({p[:i] for p in phrases for i in range(len(p))}, key=lambda s: (len(s), s)):
        nxt = "".join(re.escape(c) for c in sorted({p[len(prefix)] for p in phrases if p.startswith(prefix)}))
        alts.append(f"[^\\W{nxt}]" if not prefix else f"{re.escape(prefix)}(?:[^{nxt}]|$)")
    return "(?:" + "|".join(alts) + ")"


_NUM = r"(\d+|two|three|four|five|six|seven|eight|nine|ten|dozens|scores|hundreds|thousands|several|more than \d+)"


@dataclass(frozen=True)
class LF:
    name: str
    label: str
    vote: int  # the vote cast when the pattern matches
    pattern: re.Pattern
    hints: tuple[str, ...] = ()  # cheap substring pre-check: the pattern can only match if one is present
    field: str = "both"  # "title", "text", "lead" or "both"
    cased: bool = False  # match the original case (company names) instead of lower case
    source: str | None = None  # only for records of this source

    def __call__(self, record: dict, views: dict[str, str] | None = None) -> int:
        if self.source is not None:
            return self.vote if record["source"] == self.source else ABSTAIN
        views = views or text_views(record)
        haystack = views[self.field + ("_cased" if self.cased else "")]
        if self.hints and not any(h in haystack for h in self.hints):
            return ABSTAIN
        return self.vote if self.pattern.search(haystack) else ABSTAIN


def text_views(record: dict) -> dict[str, str]:
    """The strings LFs search, built once per record."""
    both = record["title"] + ". " + record["text"]
    lead = both[:LEAD_CHARS]  # the headline and first sentences: where the article's main event is
    return {"title": record["title"].lower(), "text": record["text"].lower(), "both": both.lower(),
            "lead": lead.lower(),
            "title_cased": record["title"], "text_cased": record["text"], "both_cased": both}


def _lf(name: str, label: str, vote: int, pattern: str, hints: str = "", field: str = "both",
        cased: bool = False, source: str | None = None) -> LF:
    return LF(name, label, vote, re.compile(pattern), tuple(hints.split()), field, cased, source)


LFS: list[LF] = [
    # --- diplomatic_warning -------------------------------------------------------------------
    _lf("dw_state_actor_warns", "diplomatic_warning", POSITIVE,
        _STATE + r"\b[^.]{0,80}\b(warned|warns|warning (that|of|against)|threatened|threatens|cautioned)\b[^.]{0,80}"
        r"\b(against|consequences|retaliat\w*|sanctions|citizens|nationals|compatriots|travel\w*|abroad|military|war|"
        r"interfere\w*|attack)",
        hints="warn threaten caution"),
    _lf("dw_country_warns_country", "diplomatic_warning", POSITIVE,
        r"\b" + _COUNTRY + r"\b[^.]{0,30}\b(warns?|warned|threatens?|threatened|condemns?|condemned|denounces?|"
        r"denounced|rebukes?|rebuked|protests?|protested|to protest|slams?|blasts?)\b[^.]{0,40}\b" + _COUNTRY + r"\b",
        hints="warn threat condemn denounce rebuke protest slam blast"),
    _lf("dw_provocation_or_condemnation", "diplomatic_warning", POSITIVE,
        _STATE + r"\b[^.]{0,60}\b(condemn(s|ed)?|denounc\w+|called it (a|an) \w* ?provocation|calls? [^.]{0,40}provocation|"
        r"unacceptable|violation of (its|our) sovereignty)\b",
        hints="condemn denounc provocation unacceptable sovereignty"),
    _lf("dw_summon_envoy", "diplomatic_warning", POSITIVE,
        r"\bsummon(ed|s|ing)?\b[^.]{0,50}\b(ambassador|envoy|charge d.affaires|diplomat)|"
        r"\b(ambassador|envoy|diplomat)\b[^.]{0,40}\bsummoned\b", hints="summon"),
    _lf("dw_formal_protest", "diplomatic_warning", POSITIVE,
        r"\b(lodged|lodges|lodge|filed|delivered|issued|sent)\b[^.]{0,20}\b(formal |strong |official |diplomatic )?"
        r"(protest|demarche|note of protest)\b", hints="protest demarche"),
    _lf("dw_travel_warning", "diplomatic_warning", POSITIVE,
        # a government warning its citizens about travel or risks abroad, as advisories and as news report it
        r"\b(travel (advisory|warning|alert)|advis\w+ (its |their )?(citizens|nationals|travel+ers)[^.]{0,40}"
        r"(against|to avoid|to leave|not to)|avoid (all )?(non-essential |nonessential )?travel|"
        r"(urged|told|ordered) (its |their )?(citizens|nationals)[^.]{0,30}(to leave|to avoid|not to travel)|"
        r"do not travel to|reconsider travel)\b|"
        r"\b(warn\w*|advis\w*|recommend\w*|cautio\w*|urg\w*|alert\w*)\b[^.]{0,120}\b(travel\w* abroad|"
        r"trips? abroad|foreign trips|(when|before|while) travel\w*)\b|"
        r"\b(citizens|nationals|compatriots|travel+ers|tourists)\b[^.]{0,40}\b(should not|not to|to avoid|"
        r"reconsider|to leave|were urged|were warned|were advised)\b[^.]{0,40}\b(travel\w*|trips?|visit\w*|leave)\b",
        hints="travel citizens nationals abroad trips"),
    _lf("dw_retaliation_threat", "diplomatic_warning", POSITIVE,
        r"\b(vow(ed|s)?|threaten(ed|s)?|warn(ed|s)?)\b[^.]{0,30}\b(retaliat\w*|reprisal|serious consequences|"
        r"grave consequences|countermeasures|respond (firmly|strongly))",
        hints="retaliat reprisal consequences countermeasures respond"),
    _lf("dw_travel_advisory_page", "diplomatic_warning", POSITIVE, r"", source="travel_advisories"),
    _lf("dw_not_market_warning", "diplomatic_warning", NEGATIVE,
        r"\b(profit|earnings|sales|revenue) warning\b|\b(company|firm|analysts?|economists?|investors?|forecasters?|"
        r"scientists?|doctors|experts?|bank)\b[^.]{0,30}\bwarn(ed|s|ing)?\b", hints="warn", field="title"),
    # --- arrest -------------------------------------------------------------------------------
    _lf("ar_passive_arrest", "arrest", POSITIVE,
        r"\b(was|were|been|being|is|are|got)\s+(arrested|detained|jailed|taken into custody|apprehended|"
        r"extradited|rounded up|held in custody)\b",
        hints="arrested detained jailed custody apprehended extradited rounded"),
    _lf("ar_agent_arrested", "arrest", POSITIVE,
        r"\b(police|authorities|officers|agents|troops|soldiers|forces|fbi|prosecutors|security services?)\b"
        r"[^.]{0,60}\b(arrested|detained|rounded up|apprehended)\b",
        hints="arrested detained rounded apprehended"),
    _lf("ar_count_arrested", "arrest", POSITIVE,
        rf"\b{_NUM}\b[^.]{{0,40}}\b(arrests|were arrested|detained|suspects held|people held|men held)\b|"
        rf"\b(arrested|detained)\s+{_NUM}\b", hints="arrest detained held"),
    _lf("ar_custody_or_charges", "arrest", POSITIVE,
        r"\b(in|into|remanded in) (police )?custody\b|\bheld (on|over) [^.]{0,30}charges?\b|"
        r"\bheld without (charge|trial)\b|\bcharged and (held|detained)\b", hints="custody held"),
    _lf("ar_arrest_of_someone", "arrest", POSITIVE,
        r"\b(the|his|her|their|an?|recent|latest|mass) arrests? of " + word_not_starting("the decline", "the slide", "the fall"),
        hints="arrest"),
    _lf("ar_warrant_extradition", "arrest", POSITIVE,
        r"\barrest warrants?\b|\bwarrants? for (his|her|their|the) arrest\b|\bextradit(ed|ion|e)\b",
        hints="warrant extradit"),
    _lf("ar_title_arrest", "arrest", POSITIVE,
        r"\b(arrest(s|ed)?|detain(s|ed)?|held|custody|extradit\w*|nabbed|captured)\b", field="title"),
    _lf("ar_lead_arrested", "arrest", POSITIVE,
        r"\b(arrested|detained|jailed|remanded|denied bail|bail hearing|under arrest|house arrest|detainees|"
        r"(after|following|since) (his|her|their) arrest)\b", field="lead",
        hints="arrested detained jailed remanded bail arrest detainees"),
    _lf("ar_not_cardiac_or_figurative", "arrest", NEGATIVE,
        r"\b(cardiac|heart|respiratory) arrest\b|\barrest(ed|ing|s)? (the |a |its )?(decline|slide|fall|slump|drop)\b",
        hints="arrest"),
    # --- consular -----------------------------------------------------------------------------
    _lf("co_mission_event", "consular", POSITIVE,
        r"\b(embass(y|ies)|consulates?|consulate general|diplomatic missions?)\b[^.]{0,60}\b(closed|closes|close|"
        r"shut|reopen\w*|opened|opens|attack\w*|evacuat\w*|stormed|bomb\w*|suspend\w*|relocat\w*|besieged|"
        r"protest\w* outside|ordered departure)\b|\b(clos\w+|shut|reopen\w*|open\w*|attack\w*|storm\w*|bomb\w*|"
        r"evacuat\w*|suspend\w*|relocat\w*|mov(e|es|ed|ing)|blast|explosion|car bomb|hits?)\b[^.]{0,30}\b"
        r"(its |the |an |a )?(embass(y|ies)|consulates?)\b|\b(embassy|consulate) (blast|bombing|attack|siege)\b",
        hints="embass consulate mission"),
    _lf("co_diplomats_expelled", "consular", POSITIVE,
        r"\b(expel\w*|expulsion|recall\w*|persona non grata|ordered out)\b[^.]{0,50}\b(diplomats?|ambassadors?|"
        r"envoys?|attaches?|embassy staff)\b|\b(diplomats?|ambassadors?|envoys?)\b[^.]{0,40}\b(expelled|recalled|"
        r"ordered to leave|withdrawn)\b", hints="expel expulsion recall persona ordered withdrawn"),
    _lf("co_visa_passport_policy", "consular", POSITIVE,
        r"\b(visas?|passports?)\b[^.]{0,50}\b(issu\w*|grant\w*|revok\w*|refus\w*|denied|deny|waiver|require\w*|"
        r"rules?|polic\w*|restrict\w*|appl\w*|biometric|fees?|suspend\w*|ban\w*|scheme|free|withheld|misuse|"
        r"overst\w*|expired|lottery)\b|\b(entry|exit|student|work|tourist|travel) visas?\b|"
        r"\b(digital|biometric|electronic|new) (passports?|id cards?)\b", hints="visa passport id card"),
    _lf("co_travel_or_entry_ban", "consular", POSITIVE,
        r"\b(travel|entry|immigration) ban\b|\bban on (travel|entry|visitors|citizens)\b|"
        r"\b(denied|refused|barred)\b[^.]{0,20}\b(entry|from entering)\b|\b(pre-entry|points-based) (checks|screening|system|scheme)",
        hints="ban entry entering"),
    _lf("co_help_citizens_abroad", "consular", POSITIVE,
        r"\b(government|ministry|embassy|foreign (minister|office|secretary)|diplomats?|consul\w*|officials)\b[^.]{0,80}"
        r"\b(help|assist\w*|free|freeing|release|secure\w* the release|bring\w* (home|back)|repatriat\w*|welfare)\b[^.]{0,60}"
        r"\b(citizens?|nationals?|hostages?|detainees?|compatriots|britons?|americans?|reporters|journalists|workers)\b",
        hints="help assist free release bring repatriat welfare"),
    _lf("co_limited_assistance", "consular", POSITIVE,
        r"\b(limited|no) (ability|capacity) to (provide|offer|assist|help)\b|"
        r"\b(unable|not able|cannot) (to )?provide (routine |emergency |consular |or )+(services|assistance)\b|"
        r"\bordered (the )?departure\b", hints="ability capacity provide departure"),
    _lf("co_consular_access", "consular", POSITIVE,
        r"\bconsular (access|assistance|officials?|officers?|services?|support|visits?|affairs|section|protection)\b",
        hints="consular"),
    _lf("co_evacuate_citizens", "consular", POSITIVE,
        r"\b(evacuat\w*|repatriat\w*|airlift\w*|fly home|flown home)\b[^.]{0,50}\b(citizens|nationals|"
        r"foreigners|expatriates|americans|britons|tourists)\b", hints="evacuat repatriat airlift home"),
    _lf("co_not_visa_company", "consular", NEGATIVE,
        r"\bVisa (International|Inc|USA|Europe|card|cards|credit|debit)\b|\b(MasterCard|American Express)\b",
        hints="Visa MasterCard American", cased=True),
    _lf("co_not_consul_company", "consular", NEGATIVE, r"\bConsul (Inc|Corp|Ltd|Energy|Group)\b",
        hints="Consul", cased=True),
]


def apply_lfs(records: list[dict], lfs: list[LF] = LFS, n_jobs: int = 1) -> np.ndarray:
    """Vote matrix of shape (records, LFs) with values in {-1, 0, 1}; ``n_jobs`` > 1 splits the records
    over that many processes (the regexes hold the GIL)."""
    if n_jobs > 1 and len(records) >= 1000:
        from joblib import Parallel, delayed

        # interleaved shares, so that each gets as many long articles (the corpora come in order)
        shares = Parallel(n_jobs=n_jobs)(delayed(apply_lfs)(records[k::n_jobs], lfs) for k in range(n_jobs))
        votes = np.zeros((len(records), len(lfs)), dtype=np.int8)
        for k, share in enumerate(shares):
            votes[k::n_jobs] = share
        return votes
    votes = np.zeros((len(records), len(lfs)), dtype=np.int8)
    for i, rec in enumerate(records):
        views = text_views(rec)
        votes[i] = [lf(rec, views) for lf in lfs]
    return votes


def lf_weights(votes: np.ndarray, gold: np.ndarray, lfs: list[LF] = LFS) -> np.ndarray:
    """Log-odds weight per LF from its precision on gold (smoothed towards PRIOR_PRECISION): how much to trust its vote.
    ``gold`` has shape (records, labels) for the same records as ``votes``."""
    weights = np.zeros(len(lfs))
    for j, lf in enumerate(lfs):
        fired = votes[:, j] != ABSTAIN
        truth = gold[fired, LABELS.index(lf.label)]
        correct = truth.sum() if lf.vote == POSITIVE else (1 - truth).sum()
        # Beta prior centred on 0.7 (what a pattern written for the label is expected to reach),
        # so that an LF seldom seen firing on gold keeps a modest positive weight
        precision = (correct + PRIOR_PRECISION * PRIOR_STRENGTH) / (fired.sum() + PRIOR_STRENGTH)
        weights[j] = math.log(precision / (1 - precision))
    return weights


def aggregate(votes: np.ndarray, method: str = "majority", weights: np.ndarray | None = None,
              lfs: list[LF] = LFS) -> np.ndarray:
    """Weak labels (records, labels) in {0, 1}.

    majority: positive when positive votes outnumber negative ones (abstain = no vote).
    weighted: positive when the log-odds-weighted sum of votes is above zero; an LF whose precision
    on gold is under 0.5 then counts against the label it votes for.
    """
    if method not in ("majority", "weighted"):
        raise ValueError(f"aggregation must be 'majority' or 'weighted', not {method!r}")
    if method == "weighted" and weights is None:
        raise ValueError("weighted aggregation needs weights (from lf_weights on gold dev)")
    w = np.ones(len(lfs)) if method == "majority" else weights
    out = np.zeros((votes.shape[0], len(LABELS)), dtype=np.int8)
    for k, label in enumerate(LABELS):
        cols = [j for j, lf in enumerate(lfs) if lf.label == label]
        score = votes[:, cols].astype(float) @ w[cols]
        out[:, k] = score > 0
    return out
