"""Polish: vulgar roots with their prefixes and endings, insults, slurs, threats.

Patterns are written without diacritics: the text views fold "ą ć ę ł ń ó ś ź ż"."""

from __future__ import annotations

from litso.triage.lexicons import Entry, Lexicon, entries

_PREFIX = r"(?:za|po|wy|od|ode|roz|prze|na|u|do|ob|s|z|w|pod|przy|nad|wpier|o|ze|zo|)"
# Negated participles are as vulgar as the verb: "niezajebany", "nieposrany".
_JEB = r"(?:nie)?" + _PREFIX

PROFANITY = (
    *entries("profanity", 0.9, {
        "kurwa": r"\w*(?:kurw|qrw|kurv|kurew)\w*",
        "chuj": r"\w*(?:ch|h)uj\w*",
        "pierdolic": r"\w*pierd(?:ol|al|ziel)\w*",
        "jebac": _JEB + r"jeb\w*",
        "pizda": r"\w*pizd\w*|\w*picz(?:a|y|e|ka|ki|ko|ce|o|ek)",
    }),
    *entries("profanity", 0.85, {
        "kutas": r"kutas\w*|kutaf\w*",
        "dziwka": r"dziwk\w*",
        "zdzira": r"zdzir\w*",
        "cipa": r"cip(?:a|y|ie|e|o|ka|ki|ce|ko|sko|ek|uchn\w*)",  # not "CIP"
        "ruchac": _JEB + r"ruch(?:ac|am|asz|aj\w*|al\w*|an\w*)",
    }),
    Entry("profanity", "fiut", 0.8, r"fiut(?:|a|y|em|ek|ki|ka|kiem|ow|om|ami|ach|cie|u)"),
    Entry("profanity", "suka", 0.75, r"suk(?:a|i|o|ami|om|ach|insyn\w*)"),
    Entry("profanity", "gowno", 0.7, r"gown(?:o|a|ie|em|ach|ami|om|ian\w*|iarz\w*|iak\w*)|guwno"),
    Entry(
        "profanity",
        "srac",
        0.65,
        r"(?:nie)?(?:za|ze|s|wy|o|po|na|ob|obe|obs|roz|przy|u|do|)sr"
        r"(?:a|ac|al\w*|am|asz|aj\w*|an\w*|ak\w*|acz\w*|yw\w*|ut\w*|ajt\w*)",
    ),
    *entries("profanity", 0.6, {
        "pieprzyc": r"\w*pieprz\w*",
        "pierdziec": r"\w*pierdz\w*",
    }),
    Entry(
        "profanity",
        "dupa",
        0.5,
        # Not "dupe": an English word, and "dupę" without its accent.
        r"dup(?:a|y|ie|o|ek|ka|ki|kiem|ku|kom|ska|sko|cia|ny|skiem|ach|ami|om|sk\w*)"
        r"|zadup\w*|(?:nie)?(?:u|wy|po|za)dup\w*",
    ),
    *entries("profanity", 0.45, {
        "cycki": r"cyc(?:|e|ki|ek|kami|ach|uszk\w*)",
        "rzygac": r"rzyga\w*|rzygi",
        "burdel": r"syf|burdel\w*",
        "obciagac": r"obciag(?:ac|a|asz|nij|aj|ala|ali)",  # also upholstering
    }),
    Entry("profanity", "cholera", 0.3, r"choler(?:a|y|e|ny|nie|nego|ne)"),
)  # fmt: skip
INSULTS = (
    Entry("insult", "debil", 0.8, r"debil(?:|e|a|u|em|i|ami|om|ach|ow|ka|ki|ko|n\w*|izm\w*)"),
    *entries("insult", 0.75, {
        "idiota": r"idio(?:t\w*|ci)",
        "kretyn": r"kretyn\w*",
        "szuja": r"szuj(?:a|e|o|i)",
        "ciul": r"ciul\w*",
    }),
    *entries("insult", 0.7, {
        "matol": r"matol\w*",
        "kmiot": r"kmio(?:t\w*|ci)",
        "tepak": r"tepak\w*|tepa(?:ki|cy)",
    }),
    *entries("insult", 0.6, {
        "gnoj": r"gnoj(?:ek|ki|ku|ka|u|em|e|a|)",  # also manure
        "bydlo": r"bydl(?:o|a|em|u)",  # also cattle
        "cham": r"cham(?:|y|ie|a|em|ami|owi|stw\w*|sk\w*|ka|ki)",
        "duren": r"duren|durni(?:a|u|em|e|ow)",
        "palant": r"palan(?:t\w*|ci)",
        "nieudacznik": r"nieudacznik\w*",
    }),
    *entries("insult", 0.5, {"spadaj": r"spadaj|spadajcie"}),  # not "spadają"
    *entries("insult", 0.45, {
        "glupi": r"glup(?:i|ia|ie|iego|iemu|im|ich|imi|ek|ka|ki|cy|cze|ota\w*|ol\w*|ku|cem)",
        "frajer": r"frajer\w*",
        "szmata": r"szmat(?:a|y|o|ami|om|e)",  # also a rag
        "pajac": r"pajac\w*|gamon\w*",
        "tepy": r"tep(?:y|a|e|ego|ym|ych|ymi|ota)",
        "baran": r"baran(?:|ie|y|a|em|ami|ow)|osiol|osly",
    }),
    *entries("insult", 0.35, {
        "oszust": r"oszu(?:st\w*|sci)",
        "zlodziej": r"zlodzie\w*|zlodziej\w*",
        "zalosny": r"zalosn\w*",
        "niekompetentny": r"niekompetent\w*",
    }),
)  # fmt: skip
SLURS = (
    *entries("slur", 0.85, {"czarnuch": r"czarnuch\w*", "ciapaty": r"ciapat\w*"}),
    *entries("slur", 0.8, {
        "cwel": r"cwel\w*",
        "pedzio": r"pedzi(?:o|a|e|ow|em)",
        "ciota": r"ciot(?:a|y|o|ami|om|ach|e)",
    }),
    Entry("slur", "kacap", 0.6, r"kacap\w*"),
)  # fmt: skip
PHRASES = (
    Entry("profanity", "dupa", 0.5, r"(?:w|do|na) dup[ey]"),
    Entry(
        "profanity",
        "robic loda",
        0.85,
        r"(?:z?robi\w*|obciag\w*|ciagn\w*) (?:\w+ )?loda|lizac pale",  # not "loda": ice cream
    ),
    Entry("insult", "zamknij sie", 0.7, r"zamknij (?:sie|morde|ryj|pysk)|odwal sie|wypchaj sie"),
    Entry(
        "threat:violence",
        "zabije",
        0.7,
        r"(?:zabije|zabijemy|pobije|pobijemy|dorwe|spale) (?:cie|was|ciebie|wam|pana|pania)"
        r"|wiem gdzie mieszkasz|(?:obije|rozwale) (?:ci|wam) (?:morde|geby|ryj|leb)",
    ),
    Entry(
        "threat:legal",
        "sad",
        0.35,
        r"(?:do|w|przed|na) sad(?:u|zie|em)|sadow\w*|pozew|pozw(?:e|iemy|ac|iesz|anie|iecie)"
        r"|(?:droge|droga|drodze) (?:sadow\w*|prawn\w*)|kroki prawne|krokow prawnych",
    ),
    Entry("threat:legal", "prawnik", 0.35, r"prawnik\w*|adwokat\w*|kancelari\w*|radc\w* prawn\w*"),
    Entry(
        "threat:legal",
        "uokik",
        0.35,
        r"uokik\w*|rzeczni\w* (?:praw )?konsument\w*|prokuratur\w*|policj\w*"
        r"|inspekcj\w* handlow\w*|federacj\w* konsument\w*",
    ),
    Entry("threat:leave", "konkurencja", 0.2, r"konkurencj\w*|odejde|odchodze"),
    Entry(
        "threat:leave",
        "rezygnacja",
        0.2,
        r"z?rezygnuj\w*|rezygnacj\w*|wypowi\w* umow\w*|(?:zamykam|zamkne|usune|usuwam) konto",
    ),
    Entry("threat:leave", "nigdy wiecej", 0.2, r"nigdy wiecej"),
)  # fmt: skip

POLISH = Lexicon(
    language="pl",
    words=(*PROFANITY, *INSULTS, *SLURS),
    phrases=PHRASES,
    exclude=(
        r"jeb|jebel\w*|osram\w*|sram|bhuj\w*",  # Jebel Ali, SRAM, bhujia
        r"pieprz|pieprzu|pieprzem|pieprzow\w*|pieprzniczk\w*|pieprzyk\w*",  # pepper
    ),
    mask_targets=(
        "kurwa", "kurwy", "kurwo", "chuj", "huj", "chuja", "pierdol", "pierdole", "spierdalaj",
        "wypierdalaj", "jebac", "jebany", "zajebie", "pojebany", "pizda", "skurwysyn",
        "skurwiel", "kutas", "cipa", "gowno", "dupa",
    ),
)
