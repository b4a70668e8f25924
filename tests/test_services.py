import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import services
from chat.errors import ConversationNotFound, InvalidMessage, MessageNotFound, NothingToRegenerate
from chat.llm.base import ProviderRateLimited, ProviderTimeout
from chat.models import Conversation, Message
from chat.owners import Owner
from tests.factories import ConversationFactory, MessageFactory, UserFactory
from tests.providers import ScriptedProvider

pytestmark = pytest.mark.django_db


def test_reply_stores_question_and_answer(owner):
    provider = ScriptedProvider("Check the **battery** first.")
    result = services.conversation_reply(
        owner=owner, text="  My car clicks but won't start  ", provider=provider
    )
    conversation = Conversation.objects.get(pk=result.conversation.pk)
    assert conversation.user_id == owner.user_id
    assert conversation.title == "My car clicks but won't start"
    question, answer = conversation.messages.order_by("created_at")
    assert (question.role, question.content) == ("user", "My car clicks but won't start")
    assert answer.role == "assistant" and answer.status == "complete"
    assert answer.html == "<p>Check the <strong>battery</strong> first.</p>"
    assert (answer.provider, answer.model) == ("scripted", "scripted-1")
    assert (answer.prompt_tokens, answer.completion_tokens) == (11, 7)
    assert answer.latency_ms is not None
    assert provider.calls[0][0].role == "system"
    assert provider.calls[0][-1].content == "My car clicks but won't start"


def test_title_is_cut_at_a_word():
    long = "My 2014 Volkswagen Golf makes a grinding noise from the front left wheel when braking"
    title = services.title_from(long)
    assert len(title) <= 61 and title.endswith("…")
    assert long.startswith(title[:-1])


def test_follow_up_sees_history_and_vehicle(owner):
    conversation = services.conversation_start(
        owner=owner, vehicle={"year": 2012, "make": "Honda", "model": "Civic"}
    )
    provider = ScriptedProvider("First answer.", "Second answer.")
    services.conversation_reply(
        owner=owner, conversation_id=conversation.pk, text="P0420?", provider=provider
    )
    services.conversation_reply(
        owner=owner, conversation_id=conversation.pk, text="And the cost?", provider=provider
    )
    turns = provider.calls[1]
    assert "Honda" in turns[0].content and "2012" in turns[0].content
    assert [(t.role, t.content) for t in turns[1:]] == [
        ("user", "P0420?"),
        ("assistant", "First answer."),
        ("user", "And the cost?"),
    ]


def test_provider_failure_keeps_question_and_records_error(owner):
    provider = ScriptedProvider(ProviderTimeout())
    with pytest.raises(ProviderTimeout) as caught:
        services.conversation_reply(owner=owner, text="Brakes squeal", provider=provider)
    conversation = Conversation.objects.get(pk=caught.value.conversation_id)
    question, failure = conversation.messages.order_by("created_at")
    assert question.content == "Brakes squeal"
    assert failure.status == "error" and failure.error_code == "provider_timeout"
    assert str(failure.pk) == str(caught.value.message_id)

    retry = services.conversation_regenerate(
        owner=owner, conversation_id=conversation.pk, provider=ScriptedProvider("Pads worn.")
    )
    assert retry.answer.content == "Pads worn."
    assert list(conversation.messages.values_list("role", "status")) == [
        ("user", "complete"),
        ("assistant", "complete"),
    ]


def test_failed_answers_are_left_out_of_history(owner):
    provider = ScriptedProvider(ProviderRateLimited(retry_after=3), "Fine.")
    with pytest.raises(ProviderRateLimited) as caught:
        services.conversation_reply(owner=owner, text="first", provider=provider)
    services.conversation_reply(
        owner=owner, conversation_id=caught.value.conversation_id, text="second", provider=provider
    )
    assert [t.content for t in provider.calls[1][1:]] == ["first", "second"]


def test_someone_elses_conversation_is_not_found(owner):
    other = ConversationFactory()
    with pytest.raises(ConversationNotFound):
        services.conversation_reply(
            owner=owner, conversation_id=other.pk, text="hi", provider=ScriptedProvider()
        )
    anonymous = Owner(token="someone-else")
    with pytest.raises(ConversationNotFound):
        services.conversation_delete(owner=anonymous, conversation_id=other.pk)
    assert other.messages.count() == 0 and Conversation.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_message_is_rejected(owner, text):
    with pytest.raises(InvalidMessage):
        services.conversation_reply(owner=owner, text=text, provider=ScriptedProvider())
    assert Message.objects.count() == 0


def test_oversized_message_is_rejected(owner, settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 100
    with pytest.raises(InvalidMessage, match="100"):
        services.conversation_reply(owner=owner, text="x" * 101, provider=ScriptedProvider())
    assert Message.objects.count() == 0


def test_regenerate_needs_a_question(owner):
    conversation = services.conversation_start(owner=owner)
    with pytest.raises(NothingToRegenerate):
        services.conversation_regenerate(owner=owner, conversation_id=conversation.pk)


def test_stream_yields_deltas_then_stores_answer(owner):
    stream = services.conversation_reply_stream(
        owner=owner, text="Why is my car shaking?", provider=ScriptedProvider("Check tyre balance.")
    )
    assert Message.objects.filter(pk=stream.question.pk).exists()  # stored before streaming
    events = list(stream.events)
    deltas = [e.text for e in events if isinstance(e, services.TextDelta)]
    assert deltas == ["Check ", "tyre ", "balance."]
    assert isinstance(events[-1], services.TurnFinished)
    assert events[-1].answer.content == "Check tyre balance."
    assert Message.objects.get(pk=events[-1].answer.pk).status == "complete"


def test_stream_closed_early_keeps_partial_answer(owner):
    stream = services.conversation_reply_stream(
        owner=owner, text="hello", provider=ScriptedProvider("one two three four five")
    )
    first = next(stream.events)
    second = next(stream.events)
    assert (first.text, second.text) == ("one ", "two ")
    stream.events.close()  # the client pressed Stop or went away
    answer = stream.conversation.messages.get(role="assistant")
    assert answer.status == "cancelled"
    assert answer.content == "one two "


def test_stream_failure_midway_is_recorded(owner):
    stream = services.conversation_reply_stream(
        owner=owner, text="hello", provider=ScriptedProvider("a b c d", fail_after_chunks=2)
    )
    events = list(stream.events)
    assert isinstance(events[-1], services.TurnFailed)
    failure = Message.objects.get(pk=events[-1].answer.pk)
    assert failure.status == "error" and failure.content == "a b "


def test_safety_verdict_is_stored(owner):
    result = services.conversation_reply(
        owner=owner,
        text="My brake pedal goes to the floor",
        provider=ScriptedProvider("Have it towed."),
    )
    assert result.question.safety == "stop"
    assert result.answer.safety == "stop"


def _turn_queries(owner, conversation) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.conversation_reply(
            owner=owner,
            conversation_id=conversation.pk,
            text="next question",
            provider=ScriptedProvider("ok"),
        )
    return len(queries)


def test_turn_cost_does_not_grow_with_history(owner, settings):
    settings.CHAT_HISTORY_TOKEN_BUDGET = 500
    settings.CHAT_MAX_TURNS_PER_CONVERSATION = 0
    small = ConversationFactory(user_id=owner.user_id)
    MessageFactory.create_batch(5, conversation=small)
    big = ConversationFactory(user_id=owner.user_id)
    Message.objects.bulk_create(
        [
            Message(
                conversation=big,
                role=Message.Role.USER if i % 2 == 0 else Message.Role.ASSISTANT,
                content=f"message {i} " + "words " * 20,
            )
            for i in range(5000)
        ]
    )
    assert _turn_queries(owner, small) == _turn_queries(owner, big)
    provider = ScriptedProvider("ok")
    services.conversation_reply(owner=owner, conversation_id=big.pk, text="last", provider=provider)
    sent = provider.calls[0]
    history_chars = sum(len(t.content) for t in sent[1:-1])
    assert 0 < len(sent) - 2 <= settings.CHAT_HISTORY_MAX_MESSAGES
    assert history_chars // 4 <= settings.CHAT_HISTORY_TOKEN_BUDGET


def test_update_renames_and_sets_vehicle(owner):
    conversation = services.conversation_start(owner=owner, title="old")
    updated = services.conversation_update(
        owner=owner,
        conversation_id=conversation.pk,
        title=" Civic noises ",
        vehicle={"make": "Honda", "model": "", "year": 2012},
    )
    conversation.refresh_from_db()
    assert conversation.title == "Civic noises" == updated.title
    assert conversation.vehicle == {"make": "Honda", "year": 2012}


def test_feedback_is_owner_checked(owner):
    mine = MessageFactory(conversation=ConversationFactory(user_id=owner.user_id), role="assistant")
    feedback, created = services.feedback_set(
        owner=owner, message_id=mine.pk, rating=1, comment=" ok "
    )
    assert created and (feedback.rating, feedback.comment) == (1, "ok")
    again, created = services.feedback_set(
        owner=owner, message_id=mine.pk, rating=-1, comment="wrong engine"
    )
    assert not created and again.pk == feedback.pk
    assert mine.feedback.get().comment == "wrong engine"
    theirs = MessageFactory(role="assistant")
    with pytest.raises(MessageNotFound):
        services.feedback_set(owner=owner, message_id=theirs.pk, rating=-1)


def test_vin_fills_the_vehicle_profile(owner):
    conversation = services.conversation_start(owner=owner, vehicle={"vin": "1HGCM82633A004352"})
    assert conversation.vehicle == {"vin": "1HGCM82633A004352", "make": "Honda", "year": 2003}
    kept = services.conversation_update(
        owner=owner,
        conversation_id=conversation.pk,
        vehicle={"vin": "1HGCM82633A004352", "make": "Acura", "year": 2004, "model": "TSX"},
    )
    assert kept.vehicle["make"] == "Acura" and kept.vehicle["year"] == 2004


def test_anonymous_conversations_follow_the_visitor_into_their_account(client):
    from chat.owners import SESSION_KEY

    client.get("/")
    session = client.session
    session[SESSION_KEY] = "visitor-token"
    session.save()
    mine = ConversationFactory(anonymous=True, owner_token="visitor-token")
    someone_elses = ConversationFactory(anonymous=True, owner_token="another-visitor")
    user = UserFactory(username="newly-registered")
    client.force_login(user)
    mine.refresh_from_db()
    someone_elses.refresh_from_db()
    assert (mine.user_id, mine.owner_token) == (user.pk, "")
    assert someone_elses.user_id is None and someone_elses.owner_token == "another-visitor"
    assert client.get(f"/c/{mine.pk}").status_code == 200
    assert SESSION_KEY not in client.session


def test_stream_announces_where_the_answer_will_be_stored(owner):
    stream = services.conversation_reply_stream(
        owner=owner, text="hello", provider=ScriptedProvider("one two three")
    )
    events = list(stream.events)
    assert events[-1].answer.pk == stream.answer_id
    assert Message.objects.filter(pk=stream.answer_id, status="complete").exists()

    stopped = services.conversation_reply_stream(
        owner=owner,
        conversation_id=stream.conversation.pk,
        text="again",
        provider=ScriptedProvider("a b c d"),
    )
    next(stopped.events)
    stopped.events.close()
    assert Message.objects.get(pk=stopped.answer_id).status == "cancelled"


def test_a_stopped_answer_is_not_saved_over_its_regenerated_replacement(owner):
    slow = services.conversation_reply_stream(
        owner=owner, text="hello", provider=ScriptedProvider("one two three four")
    )
    next(slow.events)  # streaming; the user presses Stop and at once Regenerate
    services.conversation_regenerate(
        owner=owner, conversation_id=slow.conversation.pk, provider=ScriptedProvider("New.")
    )
    slow.events.close()  # the server notices the hang-up only now
    answers = slow.conversation.messages.filter(role="assistant")
    assert list(answers.values_list("content", "status")) == [("New.", "complete")]


def test_conversation_deleted_while_answering(owner):
    stream = services.conversation_reply_stream(
        owner=owner, text="hello", provider=ScriptedProvider("one two")
    )
    next(stream.events)
    services.conversation_delete(owner=owner, conversation_id=stream.conversation.pk)
    events = list(stream.events)  # finishes without an error; nothing is left behind
    assert isinstance(events[-1], services.TurnFinished)
    assert not Message.objects.exists()
