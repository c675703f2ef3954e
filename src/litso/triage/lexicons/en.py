"""English: profanity with its compounds, insults, slurs, threats."""

from __future__ import annotations

from litso.triage.lexicons import Entry, Lexicon, entries

_ASS_PREFIX = (
    r"(?:dumb|jack|fat|smart|kiss|lard|lazy|wise|punk|hard|half|broke|bitch|dick|sorry|cheap|"
    r"stupid|big|ugly|dum|lame|weak|crazy|silly|goofy|whole|candy|)"  # not "badass", "kickass"
)

PROFANITY = (
    *entries("profanity", 0.9, {
        "fuck": r"\w*(?:fuck|fuk|fck|phuck|fvck|fuq|fukk|fucc|fcuk)\w*|stfu|gtfo|mofo\w*",
        "cunt": r"cunt\w*",
    }),
    *entries("profanity", 0.85, {
        "bitch": r"\w*(?:bitch|biatch|biotch|bytch)\w*|bich|biches",
        "whore": r"\w*whore\w*",
        "slut": r"slut\w*",
        "skank": r"skank\w*",
        "twat": r"twat\w*",
        "wanker": r"wank\w*",
    }),
    *entries("profanity", 0.8, {
        "shit": r"\w*(?:shit|shyt|shiet)\w*",
        "asshole": r"\w*(?:ass|arse)hole\w*",
        "dickhead": r"dick(?:head\w*|hole|wad|face)|cock(?:sucker\w*|suck\w*|head)",
    }),
    Entry("profanity", "bastard", 0.75, r"bastard\w*"),
    *entries("profanity", 0.6, {
        "cock": r"cock|cocks",
        "pussy": r"puss(?:y|ies|ys)",
        "douche": r"douche\w*",
        "bollocks": r"bollock\w*",
        "jizz": r"jizz\w*|cumm\w*|cumshot\w*",
        "dildo": r"dildo\w*",
        "blowjob": r"(?:blow|hand|rim|foot)jobs?|boners?|schlong\w*|clit\w*",
        "tosser": r"tosser\w*",
    }),
    Entry("profanity", "hoes", 0.55, r"hoes|hoez|thot|thots"),
    Entry(
        "profanity",
        "ass",
        0.55,
        # Only whole or in known compounds: "class", "assess", "embarrass", "Sussex".
        _ASS_PREFIX + r"(?:ass|arse|azz)(?:es|hat|wipe|face|clown|kiss\w*|lick\w*|munch\w*|bag|)",
    ),
    *entries("profanity", 0.45, {
        # A name ("Dick", "Moby Dick"), a garden tool ("hoe"): not enough alone.
        "dick": r"dick|dicks|dickish|dickless",
        "ho": r"hoe|ho|hos",
        "crap": r"crap(?:|s|py|pier|piest|per|ola)",
        "piss": r"piss(?:|ed|es|ing|y|er)",
        "wtf": r"wtf|omfg|ffs",
        "prick": r"prick|pricks",
        "bugger": r"bugger\w*",
        "tits": r"tits|titties|titty",  # also birds
        "cum": r"cum",  # "magna cum laude"
    }),
    Entry("profanity", "damn", 0.3, r"(?:god)?dam(?:n|mit|nit|ned|ning|n\w*)"),
)  # fmt: skip
INSULTS = (
    *entries("insult", 0.75, {
        "moron": r"moron\w*",
        "imbecile": r"imbecil\w*",
        "scum": r"scum\w*",
        "cretin": r"cretin\w*",
    }),
    Entry("insult", "idiot", 0.7, r"idiot\w*"),
    *entries("insult", 0.45, {
        "stupid": r"stupid\w*",
        "dumb": r"dumb(?:|er|est|o)",
        "ugly": r"ugly",
        "loser": r"loser|losers",
        "pathetic": r"pathetic\w*",
    }),
    *entries("insult", 0.4, {
        "jerk": r"jerk|jerks",
        "incompetent": r"incompeten\w*",
        "liar": r"liar|liars",
    }),
    *entries("insult", 0.35, {
        "clown": r"clown|clowns",
        "useless": r"useless",
        "thief": r"thie(?:f|ves)|crook|crooks",
        "scammer": r"scammers?",
    }),
)  # fmt: skip
SLURS = (
    *entries("slur", 0.9, {
        "nigger": r"nigg\w*|nigga\w*|niga|nigaz|nicca\w*|niglet\w*|jigaboo\w*",
        "faggot": r"fag|fags|fagg\w*|fagot\w*|fagit\w*",
    }),
    *entries("slur", 0.8, {
        "kike": r"kike|kikes",
        "wetback": r"wetback\w*|beaner\w*",
        "gook": r"gook\w*",
        "raghead": r"raghead\w*|towelhead\w*",
        "spic": r"spic|spics",
        "darky": r"dark(?:y|ies)",
    }),
    Entry("slur", "nig", 0.75, r"nig|nigs"),
    Entry("slur", "retard", 0.7, r"retard(?:|s|ed|o|os)|tard|tards"),
    *entries("slur", 0.6, {
        "japs": r"japs",
        "paki": r"paki|pakis",
        "honky": r"honk(?:y|ey|ies)",
    }),
    *entries("slur", 0.4, {
        # Also a gearbox, a cat breed, a Spanish colour, Van Dyke, "a chink in the armour".
        "dyke": r"dyke\w*",
        "chink": r"chink|chinks",
        "tranny": r"tranny|trannies",
        "negro": r"negro|negros|negroes",
        "redneck": r"rednecks?|teabagg\w*",
        "coon": r"coon|coons",
        "homo": r"homo|homos",
    }),
)  # fmt: skip
PHRASES = (
    Entry("insult", "shut up", 0.6, r"shut (?:the \w+ )?up|screw (?:you|u)"),
    Entry("insult", "go to hell", 0.7, r"go to hell|burn in hell"),
    Entry("insult", "kill yourself", 0.9, r"kill (?:yo)?ur ?self|kys"),
    Entry(
        "threat:violence",
        "kill",
        0.7,
        r"(?:i ll|i will|gonna|going to|ill) (?:kill|hurt|beat|stab|shoot) "
        r"(?:you|u|all of you|every one of you)|i know where you live"
        r"|beat the \w+ out of (?:you|u)",
    ),
    Entry("slur", "white trash", 0.6, r"white trash|porch monkey|camel jockey"),
    Entry("profanity", "hell", 0.3, r"the hell|the heck"),
    Entry("profanity", "suck", 0.7, r"suck (?:my|ma|a) \w+"),
    Entry("profanity", "jerk off", 0.6, r"(?:jerk|jack) off|blow job"),
    Entry(
        "threat:legal",
        "court",
        0.35,
        r"sue (?:you|your|u|them|the company|this company|you guys)|suing|lawsuit\w*"
        r"|legal (?:action|proceedings|steps)|small claims|(?:in|to) court|court action"
        r"|class action",
    ),
    Entry("threat:legal", "lawyer", 0.35, r"lawyers?|attorneys?|legal advice"),
    Entry(
        "threat:legal",
        "regulator",
        0.35,
        r"better business bureau|bbb|consumer (?:protection|rights|ombudsman)|ftc"
        r"|trading standards|ombudsman|(?:call|contact|report \w+ to|go to) the police"
        r"|file a complaint with",
    ),
    Entry(
        "threat:leave",
        "competitor",
        0.2,
        r"competitors?|take my (?:business|money) elsewhere"
        r"|switch\w* (?:to )?(?:another|a different) \w+",
    ),
    Entry(
        "threat:leave",
        "cancel",
        0.2,
        r"(?:cancel\w*|close|closing|terminat\w*) (?:my|our|the) "
        r"(?:account|subscription|membership|contract|service)\w*",
    ),
    Entry(
        "threat:leave",
        "never again",
        0.2,
        r"never (?:use|buy|order|shop|fly|deal|come back)\w* (?:\w+ )?(?:again|with you|from you)"
        r"|(?:i m|im|i am|we re|we are) (?:done|finished) with (?:you|your|this)"
        r"|lost (?:a|my|our) (?:customer|business)",
    ),
)

ENGLISH = Lexicon(
    language="en",
    words=(*PROFANITY, *INSULTS, *SLURS),
    phrases=PHRASES,
    exclude=(
        r"fuku\w*",
        r"shi+take\w*|shitzu|cushit\w*|\w+shita|\w*shitsu\w*",  # Cushite, Matsushita
        r"bichon\w*",
        r"niggl\w*|niger\w*",
        r"\w*retardant\w*",
        r"scumble\w*|moroni",
    ),
    mask_targets=(
        "fuck", "fucking", "fucked", "fucker", "fuckers", "motherfucker", "shit", "shitty",
        "bullshit", "bitch", "bitches", "cunt", "asshole", "dick", "bastard", "whore", "slut",
        "pussy", "cock", "nigger", "nigga", "faggot",
    ),
)
