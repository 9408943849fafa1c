/**
 * JavaScript that runs inside each codec's QuickJS context before the codec's own source. It
 * switches off code generation from strings (eval, the Function constructors), adds a silent
 * `console`, and returns the helpers the host calls with. The helpers hold the original JSON and
 * Error bindings, so a codec that overwrites globals spoils only its own output, which the host
 * validates anyway: nothing here is trusted for safety, only for good error messages.
 */
export const PRELUDE_SOURCE = String.raw`(function () {
  'use strict';
  var g = globalThis;
  var parse = JSON.parse, stringify = JSON.stringify, isFiniteNumber = Number.isFinite;
  var ErrorType = Error, StringType = String, defineProperty = Object.defineProperty, getPrototypeOf = Object.getPrototypeOf;

  function blocked() { throw new EvalError('code generation from strings is disabled in the codec sandbox'); }
  var functionPrototypes = [
    Function.prototype,
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function () {}),
    getPrototypeOf(async function* () {}),
  ];
  for (var i = 0; i < functionPrototypes.length; i++) {
    defineProperty(functionPrototypes[i], 'constructor', { value: blocked, writable: false, enumerable: false, configurable: false });
  }
  blocked.prototype = Function.prototype;
  defineProperty(g, 'Function', { value: blocked, writable: false, enumerable: false, configurable: false });
  delete g.eval;

  var quiet = function () {};
  g.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet };

  function clip(text) { return text.length > 300 ? text.slice(0, 300) + '...' : text; }

  function describe(value) {
    try {
      if (value instanceof ErrorType || (value !== null && typeof value === 'object' && typeof value.message === 'string')) {
        var text = clip(StringType(value.name) + ': ' + StringType(value.message));
        var frame = typeof value.stack === 'string' ? value.stack.split('\n')[0].trim() : '';
        return frame === '' ? text : text + ' (' + clip(frame) + ')';
      }
      return clip(typeof value === 'string' ? value : StringType(value));
    } catch (e) {
      return 'a value that cannot be described';
    }
  }

  function kindOf(value) {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'an array';
    return typeof value === 'object' ? 'an object' : 'a ' + typeof value;
  }

  /** Calls decodeUplink and returns "ok:<json>" or "bad:<why the result is refused>"; a throw from the codec propagates. */
  function call(decodeUplink, inputJson, maxChars, maxValues) {
    var result = decodeUplink(parse(inputJson));
    if (result === null || typeof result !== 'object' || Array.isArray(result)) {
      return 'bad:decodeUplink returned ' + kindOf(result) + ', not an object';
    }
    if (typeof result.then === 'function') return 'bad:decodeUplink returned a promise; codecs must be synchronous';
    var count = 0;
    function replacer(key, value) {
      if (++count > maxValues) throw new RangeError('the result holds more than ' + maxValues + ' values');
      var at = key === '' ? '' : ' at "' + clip(StringType(key)) + '"';
      switch (typeof value) {
        case 'function': throw new TypeError('the result holds a function' + at);
        case 'symbol': throw new TypeError('the result holds a symbol' + at);
        case 'bigint': throw new TypeError('the result holds a BigInt' + at);
        case 'number': if (!isFiniteNumber(value)) throw new TypeError('the result holds ' + value + at); break;
      }
      return value;
    }
    var json;
    try {
      json = stringify(result, replacer);
    } catch (e) {
      return 'bad:' + describe(e);
    }
    if (json.length > maxChars) return 'bad:the result is ' + json.length + ' characters of JSON, over the limit of ' + maxChars;
    return 'ok:' + json;
  }

  return { call: call, describe: describe };
})()`
