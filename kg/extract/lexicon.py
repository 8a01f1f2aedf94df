"""Word lists of the concept vocabulary: function words, connectors, generic words and heads, filler
modifiers and adjective endings, which phrase finding and termhood read."""

from __future__ import annotations

MAX_WORDS = 4

# Function words, plus the verbs and adverbs abstracts lean on; a key phrase neither starts
# nor ends on one, and none stands inside it except the connectors below.
FUNCTION_WORDS = frozenset(
    """
    a about above across after against all along also although am among an and another any are
    as at be been before being below between both but by can could did do does doing done down
    during each either else every few for from further had has have having he her here hers him
    his how however i if in into is it its itself just least less many may me might more most
    much must my neither no nor not of off on once one only onto or other others our ours out
    over own per rather same shall she should since so some such than that the their theirs them
    then there these they this those though through thus to too toward towards under unless
    until up upon us very via was we were what whether when where which while who whom whose why
    will with within without would yet you your e g eg ie i.e e.g etc vs
    capture generate generating enhancing predicting integrating benchmarking teaching
    accelerating boosting improving rethinking exploring revisiting leveraging towards
    demystifying closing adapting introducing eliciting making unleashing achieve achieves
    achieved achieving address addresses adopt adopts allow allows apply applied applies based
    become becomes bring brings called can't cannot compare compared conduct conducted consider
    considered consist consists contain contains demonstrate demonstrates demonstrated derive
    derived describe described design designed develop developed enable enables enabled explore
    explored find finds found focus focuses follow following give gives given help helps improve
    improves improved include includes including introduce introduces introduced lead leads
    leading leverage leverages make makes made need needs obtain obtained offer offers
    outperform outperforms outperforming perform performs performed present presents presented
    propose proposes proposed provide provides provided reach reaches reduce reduces reduced
    remain remains require requires required reveal reveals see seen serve serves show shows
    showed shown significantly study studies suggest suggests take takes taken termed train
    trained use used uses using utilize utilizes utilizing validate verify well yield yields
    able across first second third two three four five several new novel simple key still even
    often usually widely largely highly respectively particularly especially furthermore
    moreover additionally specifically finally namely mainly recently currently previously
    already behave behaves struggle struggles excel excels fail fails emerge emerges exhibit
    exhibits suffer suffers rely relies tend tends operate operates matter matters know knows
    look looks read reads think seem seems appear appears arise arises happen happens lie lies
    hold holds stand stands say says get gets go goes come comes meet meets learn learns et al
    times versus ranging spanning involving covering containing requiring regarding
    like unlike
    hundred hundreds thousand thousands million millions billion billions trillion trillions
    """.split()
)
# Allowed inside a phrase between content words: "mixture of experts", "text to image".
CONNECTORS = frozenset({"of", "to"})

# Academic filler: a candidate made only of these words is not a research concept.
GENERIC_WORDS = frozenset(
    """
    ability accuracy advantage algorithm analysis application approach art aspect available
    baseline behavior behaviour benchmark benefit best better capability case challenge
    challenging code comparable comparison competitive component comprehensive computational
    contribution cost current data dataset datasets demonstration detail different difficulty
    direction domain effect effective effectiveness efficiency efficient effort empirical end
    evaluation evidence existing experiment experimental extensive fact factor field finding
    framework future general github good great high impact implementation importance important
    improvement input insight issue large level limitation literature low lower main manner
    method methodology metric model module network number objective open order output overall
    paper part performance potential practical practice previous problem process project
    promising property public publicly purpose quality question range recent release released
    research result robust scale scenario script setting significant simple small solution
    source stage standard state strategy strong structure study superior system task technique
    term time tool type understanding variety various version way work better-performing
    downstream thorough examination
    """.split()
)
# Words too broad to tag a paper with on their own, though fine inside a phrase
# ("image" alone says little; "image segmentation" is a concept).
BROAD_ALONE = frozenset(
    """
    layer image feature sequence token text context object generation representation training
    inference memory parameter weight size length information knowledge pattern signal
    prediction learning loss space head vector matrix score sample instance label class language
    vision decoder encoder detection recognition classification modeling modelling fusion
    interpretation accelerating boosting paradigm lens deep sparse parallel dense fast multi
    single global local word sentence document step operator annotation tuning speed
    interaction brain cache response criterion index phase group block multiple ai ap cls flop
    completion geometry surface scene reconstruction coding encoding byte search exit dropping
    adapt implicit recurrent learner instruction content frame reward prompt agent law scaling
    """.split()
)
_ADJECTIVE_ENDINGS = ("al", "ive", "ous", "ic", "able", "ible", "ful", "less", "ary", "ar")
_NOUNS_LIKE_ADJECTIVES = frozenset(
    """
    retrieval signal interval tutorial logic music topic radar lidar grammar agent gradient
    student content component token transformer proposal removal arrival material journal trial
    animal survival portal terminal manual potential arithmetic graphic objective derivative
    primitive representative alternative dictionary vocabulary summary library boundary memory
    binary commentary variable table cable rehearsal traversal
    """.split()
)
# Leading modifiers that evaluate rather than name: stripped from the front of a phrase.
FILLER_MODIFIERS = frozenset(
    """
    novel new proposed existing previous prior recent current various different extensive
    comprehensive significant simple effective efficient strong robust powerful promising
    state-of-the-art sota several numerous diverse standard typical conventional traditional
    popular widely-used well-known remarkable impressive superior competitive unified general
    specific particular faster better higher lower larger smaller stronger greater longer
    shorter cheaper easier improved enhanced increased reduced additional multiple upper
    incorrect modern underlying entire whole overall full final original subsequent preceding
    following deeper shallower later earlier early future proprietary resulting corresponding
    respective certain
    """.split()
)
# Head nouns that turn a concept into a description of it: "self-attention mechanism",
# "decoding method", "segmentation task"; the phrase without them is the concept.
GENERIC_HEADS = frozenset(
    """
    method approach system structure strategy task framework technique scheme module mechanism
    size setting paradigm pipeline process procedure problem performance result design model's
    """.split()
)
# Adjectives that cannot end a phrase ("inference of large", "multi modal").
_ADJECTIVES = frozenset(
    """
    large small high low deep long short good better best multiple wise level based free aware
    accurate specific modal lingual scale grained shot faster slower larger smaller higher lower
    stronger weaker greater fewer cheaper easier harder longer shorter
    """.split()
)
