//! Publish/subscribe: who listens to what, and how a message reaches them.
//!
//! Redis keeps every subscription twice, once on each side, and so do we:
//!
//! ```text
//!   server side (PubSub)                          client side (Subscriptions)
//!   channels:  "news"  -> [c3, c7]                c3: channels {news}  patterns {n*}
//!   patterns:  "n*"    -> [c3]                    c7: channels {news}
//!   shard:     "orders"-> [c7]                    c7: shard channels {orders}
//! ```
//!
//! The server side answers PUBLISH: the subscribers of the channel, in the order they
//! subscribed, each get `message`; then every pattern is matched against the channel with
//! Redis's glob rules, and each client subscribed to a matching pattern gets `pmessage` (once
//! per matching pattern, so a client subscribed to both `news` and `n*` gets the message
//! twice). PUBLISH answers how many deliveries it made. The client side answers what a
//! client is subscribed to, which the confirmations count (`[subscribe, news, 2]`: this
//! client now has two channel-or-pattern subscriptions) and which UNSUBSCRIBE without
//! arguments walks. Keeping both makes each question O(1) or O(subscribers) instead of a scan
//! of every client, at the price of keeping the two in step: every change goes through
//! [`Engine::subscribe`] and [`Engine::unsubscribe`], and a disconnecting client leaves both.
//!
//! Shard channels (SSUBSCRIBE, SPUBLISH) are a third, separate namespace: in a cluster they
//! follow the slot of the channel's name; on a single node they are plain channels that
//! PUBLISH does not reach and patterns do not match, and their confirmations count shard
//! subscriptions only.
//!
//! A message is not written to a socket here (the engine has none): it is a RESP3 push
//! (`>3 message news hello`, an array in RESP2) appended to the subscriber's outbox, and the
//! subscriber is listed for [`Engine::take_woken`] so that its front end, idle as it may be,
//! wakes to [`Engine::drain`] it. The same path carries keyspace notifications, which are
//! ordinary messages on `__keyspace@<db>__:<key>` and `__keyevent@<db>__:<event>` channels
//! (`crate::db`'s `notify`).
//!
//! The subscribed context: a RESP2 connection with at least one subscription has turned its
//! socket into a message stream, so it may only send (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING,
//! QUIT and RESET; anything else is refused (the check is in `Engine::execute`). RESP3 tells
//! pushes from replies by their type, so it has no such restriction.

use indexmap::{IndexMap, IndexSet};

use crate::engine::{ClientId, Engine};
use crate::error::Error;
use crate::event::{notify_flags, NotifyClass};
use crate::glob;
use crate::reply::Reply;

/// The three namespaces a client can subscribe in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// SUBSCRIBE: exact channel names.
    Channel,
    /// PSUBSCRIBE: glob patterns over channel names.
    Pattern,
    /// SSUBSCRIBE: shard channels.
    Shard,
}

impl Kind {
    /// The confirmation's first element: `subscribe`, `punsubscribe`...
    fn confirmation(self, subscribe: bool) -> &'static str {
        match (self, subscribe) {
            (Kind::Channel, true) => "subscribe",
            (Kind::Channel, false) => "unsubscribe",
            (Kind::Pattern, true) => "psubscribe",
            (Kind::Pattern, false) => "punsubscribe",
            (Kind::Shard, true) => "ssubscribe",
            (Kind::Shard, false) => "sunsubscribe",
        }
    }
}

/// What one client is subscribed to (the client side of the bookkeeping above), in the order
/// it subscribed.
#[derive(Clone, Debug, Default)]
pub struct Subscriptions {
    pub channels: IndexSet<Vec<u8>>,
    pub patterns: IndexSet<Vec<u8>>,
    pub shard_channels: IndexSet<Vec<u8>>,
}

impl Subscriptions {
    fn of_mut(&mut self, kind: Kind) -> &mut IndexSet<Vec<u8>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// The count a confirmation carries: channels and patterns together, or shard channels
    /// alone (Redis's `clientSubscriptionsCount` and `clientShardSubscriptionsCount`).
    fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Shard => self.shard_channels.len(),
            _ => self.channels.len() + self.patterns.len(),
        }
    }

    /// True when the client has any subscription at all: in RESP2, the subscribed context.
    pub fn any(&self) -> bool {
        !(self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty())
    }
}

/// The server side: every channel, pattern and shard channel with its subscribers, in the
/// order they subscribed.
#[derive(Clone, Debug, Default)]
pub(crate) struct PubSub {
    channels: IndexMap<Vec<u8>, Vec<ClientId>>,
    patterns: IndexMap<Vec<u8>, Vec<ClientId>>,
    shard_channels: IndexMap<Vec<u8>, Vec<ClientId>>,
}

impl PubSub {
    fn of(&self, kind: Kind) -> &IndexMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard_channels,
        }
    }

    fn of_mut(&mut self, kind: Kind) -> &mut IndexMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// Channels (or shard channels) with at least one subscriber, matching `pattern` if given
    /// (PUBSUB CHANNELS, SHARDCHANNELS).
    pub(crate) fn active(&self, kind: Kind, pattern: Option<&[u8]>) -> Vec<Vec<u8>> {
        self.of(kind)
            .keys()
            .filter(|name| pattern.is_none_or(|p| glob::matches(p, name, false)))
            .cloned()
            .collect()
    }

    /// How many clients subscribed to this exact channel (PUBSUB NUMSUB, SHARDNUMSUB).
    pub(crate) fn subscribers(&self, kind: Kind, name: &[u8]) -> usize {
        self.of(kind).get(name).map_or(0, Vec::len)
    }

    /// How many distinct channels, patterns or shard channels have subscribers (PUBSUB
    /// NUMPAT, INFO's `pubsub_channels`, `pubsub_patterns`, `pubsubshard_channels`).
    pub(crate) fn count(&self, kind: Kind) -> usize {
        self.of(kind).len()
    }

    /// True when nobody subscribes to anything: publishing can stop before building a message.
    fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty()
    }
}

/// What a RESP2 client may still send once subscribed.
const ALLOWED_WHEN_SUBSCRIBED: &[&str] = &[
    "ping",
    "subscribe",
    "ssubscribe",
    "unsubscribe",
    "sunsubscribe",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
];

impl Engine {
    /// Refuses command `name` (Redis's full name) when `client` is in RESP2's subscribed
    /// context and the command is not one it allows.
    pub(crate) fn check_subscribed_context(
        &self,
        client: ClientId,
        name: &str,
    ) -> Result<(), Error> {
        let subscribed = self
            .clients
            .get(&client)
            .is_some_and(|c| c.protocol == 2 && c.subscriptions.any());
        if subscribed && !ALLOWED_WHEN_SUBSCRIBED.contains(&name) {
            return Err(Error::SubscribedContext(name.to_string()));
        }
        Ok(())
    }

    /// Subscribes `client` to `name` in `kind`'s namespace (a no-op when it already is) and
    /// gives the confirmation Redis sends: `[subscribe, name, count]`.
    pub(crate) fn subscribe(&mut self, client: ClientId, kind: Kind, name: &[u8]) -> Reply {
        let Some(c) = self.clients.get_mut(&client) else {
            return Reply::Null;
        };
        if c.subscriptions.of_mut(kind).insert(name.to_vec()) {
            self.pubsub
                .of_mut(kind)
                .entry(name.to_vec())
                .or_default()
                .push(client);
        }
        let count = c.subscriptions.count(kind);
        confirmation(kind, true, Some(name), count)
    }

    /// Unsubscribes `client` from `name` in `kind`'s namespace, or, when `names` is empty,
    /// from everything it has there, in the order it subscribed. One confirmation per name
    /// (`[unsubscribe, nil, count]` when there was nothing to leave).
    pub(crate) fn unsubscribe(
        &mut self,
        client: ClientId,
        kind: Kind,
        names: &[Vec<u8>],
    ) -> Vec<Reply> {
        let Some(c) = self.clients.get_mut(&client) else {
            return Vec::new();
        };
        if names.is_empty() {
            // Everything at once: taken whole, so that leaving 100,000 channels is one walk,
            // not 100,000 removals from the front of the set.
            let mut count = c.subscriptions.count(kind);
            let all = std::mem::take(c.subscriptions.of_mut(kind));
            if all.is_empty() {
                return vec![confirmation(kind, false, None, count)];
            }
            return all
                .into_iter()
                .map(|name| {
                    self.forget(client, kind, &name);
                    count -= 1;
                    confirmation(kind, false, Some(&name), count)
                })
                .collect();
        }
        names
            .iter()
            .map(|name| {
                self.leave(client, kind, name);
                let count = self
                    .clients
                    .get(&client)
                    .map_or(0, |c| c.subscriptions.count(kind));
                confirmation(kind, false, Some(name), count)
            })
            .collect()
    }

    /// Removes one subscription from both sides of the bookkeeping.
    fn leave(&mut self, client: ClientId, kind: Kind, name: &[u8]) {
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        if c.subscriptions.of_mut(kind).shift_remove(name) {
            self.forget(client, kind, name);
        }
    }

    /// The server side of leaving: `client` is no longer among `name`'s subscribers, and a
    /// name nobody listens to any more is dropped (in O(1): the order of the names left is
    /// no promise, as it is none in Redis's dict).
    fn forget(&mut self, client: ClientId, kind: Kind, name: &[u8]) {
        let map = self.pubsub.of_mut(kind);
        if let Some(subscribers) = map.get_mut(name) {
            subscribers.retain(|&id| id != client);
            if subscribers.is_empty() {
                map.swap_remove(name);
            }
        }
    }

    /// Drops every subscription of `client` without confirmations: on disconnect and RESET.
    pub(crate) fn unsubscribe_all(&mut self, client: ClientId) {
        let Some(c) = self.clients.get_mut(&client) else {
            return;
        };
        let subscriptions = std::mem::take(&mut c.subscriptions);
        for (kind, names) in [
            (Kind::Channel, subscriptions.channels),
            (Kind::Pattern, subscriptions.patterns),
            (Kind::Shard, subscriptions.shard_channels),
        ] {
            for name in names {
                self.forget(client, kind, &name);
            }
        }
    }

    /// Delivers `message` on `channel`: `message` to its subscribers, then `pmessage` to the
    /// subscribers of every matching pattern. Returns the number of deliveries (PUBLISH's
    /// reply).
    pub(crate) fn publish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        if self.pubsub.is_empty() {
            return 0;
        }
        let mut deliveries: Vec<(ClientId, Reply)> = Vec::new();
        if let Some(subscribers) = self.pubsub.channels.get(channel) {
            let push = Reply::Push(vec![
                Reply::bulk("message"),
                Reply::bulk(channel),
                Reply::bulk(message),
            ]);
            deliveries.extend(subscribers.iter().map(|&id| (id, push.clone())));
        }
        for (pattern, subscribers) in &self.pubsub.patterns {
            if glob::matches(pattern, channel, false) {
                let push = Reply::Push(vec![
                    Reply::bulk("pmessage"),
                    Reply::bulk(pattern.clone()),
                    Reply::bulk(channel),
                    Reply::bulk(message),
                ]);
                deliveries.extend(subscribers.iter().map(|&id| (id, push.clone())));
            }
        }
        self.deliver(deliveries)
    }

    /// Publishes a keyspace notification for `event` on `key`, if `notify-keyspace-events`
    /// asks for its class: `event` on `__keyspace@<db>__:<key>` (K), then `key` on
    /// `__keyevent@<db>__:<event>` (E).
    pub(crate) fn notify_keyspace_event(
        &mut self,
        class: NotifyClass,
        event: &str,
        db: usize,
        key: &[u8],
    ) {
        if self.pubsub.is_empty() {
            return;
        }
        let flags = self.config.int("notify-keyspace-events") as u32;
        if flags & class.bit() == 0 {
            return;
        }
        if flags & notify_flags::KEYSPACE != 0 {
            let mut channel = format!("__keyspace@{db}__:").into_bytes();
            channel.extend_from_slice(key);
            self.publish(&channel, event.as_bytes());
        }
        if flags & notify_flags::KEYEVENT != 0 {
            self.publish(format!("__keyevent@{db}__:{event}").as_bytes(), key);
        }
    }

    /// Delivers `message` to the subscribers of shard channel `channel` (SPUBLISH).
    pub(crate) fn publish_shard(&mut self, channel: &[u8], message: &[u8]) -> usize {
        let Some(subscribers) = self.pubsub.shard_channels.get(channel) else {
            return 0;
        };
        let push = Reply::Push(vec![
            Reply::bulk("smessage"),
            Reply::bulk(channel),
            Reply::bulk(message),
        ]);
        let deliveries = subscribers.iter().map(|&id| (id, push.clone())).collect();
        self.deliver(deliveries)
    }

    /// Appends each push to its client's outbox and lists the client to be woken.
    fn deliver(&mut self, deliveries: Vec<(ClientId, Reply)>) -> usize {
        let count = deliveries.len();
        for (id, push) in deliveries {
            if let Some(c) = self.clients.get_mut(&id) {
                c.outbox.push_back(push);
                self.woken.push(id);
            }
        }
        count
    }
}

/// `[subscribe, name, count]`, or nil in place of the name.
fn confirmation(kind: Kind, subscribe: bool, name: Option<&[u8]>, count: usize) -> Reply {
    Reply::Push(vec![
        Reply::bulk(kind.confirmation(subscribe)),
        name.map_or(Reply::Null, Reply::bulk),
        Reply::Integer(count as i64),
    ])
}
