// KeyspaceEmbed: puts Keyspace Playground consoles in a course page and drives them over
// postMessage (docs/embedding.md). Served beside the playground's index.html, so a course page
// loads it from the playground it embeds:
//
//   <script src="https://play.example/keyspace/embed.js"></script>
//   const one = KeyspaceEmbed.create(document.querySelector("#one"), { run: ["SET visits 0"] });
//   one.run("INCR visits").then((reply) => console.log(reply.text)); // (integer) 1
//
// Each console is its own iframe with its own engine. Messages are heard only from the
// console's own frame and origin; the console hears only this page's origin (`origin=`).
(function () {
  "use strict";

  // Where the playground is: beside this script, unless a console is given `playground`.
  var script = document.currentScript;
  var here = script && script.src ? new URL("index.html", script.src).href : null;
  var ids = 0;

  // A console in `iframe`, whose playground is at `origin`.
  function Console(iframe, origin) {
    var self = this;
    var listeners = [];
    var waiting = {}; // run and reset ids -> their promise's resolve
    var resolveReady;
    this.iframe = iframe;
    // Resolved once the console's engine is up and its `run` lines have their replies.
    this.ready = new Promise(function (resolve) {
      resolveReady = resolve;
    });
    window.addEventListener("message", function (event) {
      // This console's frame, at the playground's origin: never another frame's message.
      if (event.source !== iframe.contentWindow || event.origin !== origin) return;
      var data = event.data || {};
      if (data.type === "keyspace:ready") {
        resolveReady();
        if (data.id != null && waiting[data.id]) {
          waiting[data.id]();
          delete waiting[data.id];
        }
      } else if (data.type === "keyspace:reply") {
        if (data.id != null && waiting[data.id]) {
          waiting[data.id](data);
          delete waiting[data.id];
        }
        listeners.forEach(function (listener) {
          listener(data);
        });
      }
    });
    function send(message) {
      message.id = "k" + ++ids;
      var answered = new Promise(function (resolve) {
        waiting[message.id] = resolve;
      });
      self.ready.then(function () {
        iframe.contentWindow.postMessage(message, origin);
      });
      return answered;
    }
    // Runs `command` (one line, or several as a pipeline) as if typed; resolves with its
    // reply: {id, echo, text, lines, total, values}.
    this.run = function (command) {
      return send({ type: "keyspace:run", command: command });
    };
    // A new engine, with the console's `run` lines and scenario again; resolves when ready.
    this.reset = function () {
      var done = send({ type: "keyspace:reset" });
      self.ready = done;
      return done;
    };
    // Calls `listener(reply)` for every reply, typed in the console or asked for here.
    this.onReply = function (listener) {
      listeners.push(listener);
    };
  }

  // The iframe address for `options`: the embed mode's parameters (docs/embedding.md).
  function address(options) {
    var url = new URL(options.playground || here, location.href);
    var query = new URLSearchParams();
    query.set("embed", "");
    query.set("origin", location.origin);
    var run = options.run || [];
    (typeof run === "string" ? [run] : run).forEach(function (line) {
      query.append("run", line);
    });
    if (options.scenario) {
      query.set("scenario", options.scenario);
      query.set("step", String(options.step || 0));
    }
    if (options.lang) query.set("lang", options.lang);
    if (options.height) query.set("height", String(options.height));
    if (options.readOnly) query.set("readonly", "");
    url.search = query.toString();
    return url;
  }

  window.KeyspaceEmbed = {
    // Puts a console in `container`: options {run, scenario, step, lang, height, readOnly,
    // title, playground}. Returns the console (run, reset, onReply, ready, iframe).
    create: function (container, options) {
      options = options || {};
      var url = address(options);
      var iframe = document.createElement("iframe");
      iframe.className = "keyspace-console";
      iframe.title = options.title || "Redis console";
      iframe.style.width = "100%";
      iframe.style.border = "0";
      iframe.style.height = (options.height || 320) + "px";
      var handle = new Console(iframe, url.origin);
      iframe.src = url.href;
      container.appendChild(iframe);
      return handle;
    },
    // Drives an iframe the course page wrote itself (its src has `embed` and this page's
    // `origin`), before or after it loaded: a console already loaded is asked to say it is
    // ready again (`keyspace:hello`), so its ready is heard either way.
    attach: function (iframe) {
      var origin = new URL(iframe.src, location.href).origin;
      var handle = new Console(iframe, origin);
      function hello() {
        iframe.contentWindow.postMessage({ type: "keyspace:hello" }, origin);
      }
      var loaded;
      try {
        // Still the empty document every frame starts with: its load is to come.
        loaded = iframe.contentWindow.location.href !== "about:blank";
      } catch (notOurs) {
        // Another origin's document: the playground has loaded.
        loaded = true;
      }
      if (loaded) hello();
      iframe.addEventListener("load", hello);
      return handle;
    },
  };
})();
