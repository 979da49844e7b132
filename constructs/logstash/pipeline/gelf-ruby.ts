/**
 * The Ruby that takes over from Logstash's gelf input (appended to the pipeline's Ruby
 * library): a `udp` input hands each datagram over as bytes, and this reassembles,
 * inflates and parses it. The gelf input bundled with Logstash 8.19 cannot read
 * df-logger's chunks (__tests__/logstash/gelf-framing.test.ts says why) and loses those
 * messages without a trace; here both chunk framings are reassembled and a message that
 * stays incomplete becomes an event of its own, tagged, so the loss is counted.
 */
export const GELF_RUBY_SOURCE = String.raw`
require 'stringio'
require 'zlib'

module ElkGrafanaCdktf
  # Reassembles GELF datagrams. Two chunk framings share the magic 1e 0f:
  # - GELF 1.1: 8-byte message id, 1-byte sequence number and count, data from byte 12;
  # - df-logger 0.15.2 (src/Components/GelfLogger.php prepareChunks): 32-byte SHA-256 id,
  #   16-bit big-endian sequence number and count, data from byte 38.
  # At most 128 chunks either way, so df-logger's high counter bytes (34, 36) are zero:
  # that, with sequence < count, is what tells its framing from GELF's, whose bytes 34..37
  # are compressed data (about 1 chunk in 500,000 could be taken for df-logger's; its
  # message is then reported incomplete, not lost silently).
  # Thread-safe: a ruby filter instance is shared by the pipeline's workers.
  class GelfAssembler
    MAX_CHUNKS = 128
    Pending = ::Struct.new(:framing, :sender, :id, :count, :chunks, :received, :bytes, :deadline)

    def initialize(timeout:, max_pending_bytes:)
      @timeout = timeout
      @max_pending_bytes = max_pending_bytes
      @pending = {} # insertion order is arrival order, so the oldest come first
      @pending_bytes = 0
      @dropped = []
      @lock = ::Mutex.new
    end

    # One datagram (binary String) from sender at monotonic time now. Returns
    # [:message, payload] for a whole message (unchunked, or the last missing chunk),
    # [:pending, nil] for a chunk kept, or [:error, reason] for a datagram that is not one.
    def accept(data, sender, now)
      return [:message, data] unless data.getbyte(0) == 0x1e && data.getbyte(1) == 0x0f

      framing, id, seq, count, body = GelfAssembler.chunk(data)
      return [:error, id] if framing.nil?

      key = "#{framing} #{sender} #{id.unpack1('H*')}"
      @lock.synchronize do
        entry = @pending[key]
        if entry.nil?
          entry = Pending.new(framing, sender, id, count, ::Array.new(count), 0, 0, now + @timeout)
          @pending[key] = entry
        elsif entry.count != count
          return [:error, "chunk #{seq} says #{count} chunks, the message's first chunk said #{entry.count}"]
        end
        return [:pending, nil] unless entry.chunks[seq].nil? # a duplicate: the first copy stays

        entry.chunks[seq] = body
        entry.received += 1
        entry.bytes += body.bytesize
        @pending_bytes += body.bytesize
        if entry.received == count
          @pending.delete(key)
          @pending_bytes -= entry.bytes
          return [:message, entry.chunks.join]
        end
        # Bounded memory: past the budget the oldest incomplete messages are given up (and reported).
        while @pending_bytes > @max_pending_bytes
          _, oldest = @pending.shift
          @pending_bytes -= oldest.bytes
          @dropped << [oldest, 'pending_limit']
        end
        [:pending, nil]
      end
    end

    # The messages given up since the last call: past their deadline (GELF: all chunks
    # within 5 s of the first), or over the memory budget. Each is [Pending, reason].
    def expired(now)
      @lock.synchronize do
        return [] if @pending.empty? && @dropped.empty?

        out = @dropped
        @dropped = []
        until @pending.empty?
          key, entry = @pending.first
          break if entry.deadline > now

          @pending.delete(key)
          @pending_bytes -= entry.bytes
          out << [entry, 'timeout']
        end
        out
      end
    end

    def pending_bytes
      @lock.synchronize { @pending_bytes }
    end

    # [framing, id, seq, count, data] of a chunk, or [nil, reason].
    def self.chunk(data)
      n = data.bytesize
      if n >= 38 && data.getbyte(34).zero? && data.getbyte(36).zero?
        seq = data.getbyte(35)
        count = data.getbyte(37)
        return ['df-logger', data.byteslice(2, 32), seq, count, data.byteslice(38, n - 38)] if count.between?(1, MAX_CHUNKS) && seq < count
      end
      # gelf-pro (and any GELF 1.1 sender) may end with an empty chunk: 12 bytes is a chunk.
      return [nil, "chunked datagram of #{n} bytes is shorter than a chunk header"] if n < 12

      seq = data.getbyte(10)
      count = data.getbyte(11)
      return [nil, "chunk #{seq} of #{count}: a message has 1..#{MAX_CHUNKS} chunks"] unless count.between?(1, MAX_CHUNKS) && seq < count

      ['gelf', data.byteslice(2, 8), seq, count, data.byteslice(12, n - 12)]
    end

    # The JSON text of a message: zlib (any valid header; gelfd2 0.4.1 knows only 78 9c),
    # gzip, or raw, as gelfd2's Parser tells them, inflated to at most limit bytes.
    def self.inflate(payload, limit)
      b0 = payload.getbyte(0)
      b1 = payload.getbyte(1)
      text = if b0 == 0x1f && b1 == 0x8b
               gz = ::Zlib::GzipReader.new(::StringIO.new(payload))
               begin
                 gz.read(limit + 1) || ''
               ensure
                 gz.close
               end
             elsif b1 && (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0
               inflate_zlib(payload, limit)
             else
               payload
             end
      raise ::ArgumentError, "message inflates to more than #{limit} bytes" if text.bytesize > limit

      text = text.dup if text.frozen?
      text.force_encoding(::Encoding::UTF_8)
      raise ::ArgumentError, 'message is not UTF-8' unless text.valid_encoding?

      text
    end

    # Under JRuby (Logstash) the JDK's zlib and charset encoder: JRuby's own Zlib and
    # String#encode took about 2x and 5x as long here, and Zlib 4x the memory
    # (npm run bench ruby prints the decoder's figure). MRI runs the tests' other path.
    if RUBY_ENGINE == 'jruby'
      LATIN1 = java.nio.charset.StandardCharsets::ISO_8859_1

      # The bytes a text of characters U+0000..U+00FF stands for; EncodingError otherwise.
      def self.latin1_bytes(text)
        bytes = LATIN1.newEncoder.encode(java.nio.CharBuffer.wrap(text.to_java))
        ::String.from_java_bytes(java.util.Arrays.copyOf(bytes.array, bytes.limit))
      rescue java.nio.charset.CharacterCodingException => e
        raise ::EncodingError, e.message
      end

      # At most limit + 1 bytes (then the caller refuses it): a small datagram may not
      # inflate to gigabytes.
      def self.inflate_zlib(payload, limit)
        inflater = java.util.zip.Inflater.new
        begin
          inflater.setInput(payload.to_java_bytes)
          out = java.io.ByteArrayOutputStream.new
          buffer = Java::byte[16_384].new
          until inflater.finished?
            n = inflater.inflate(buffer)
            raise ::ArgumentError, 'zlib stream is truncated' if n.zero? && (inflater.needsInput || inflater.needsDictionary)

            out.write(buffer, 0, n)
            break if out.size > limit
          end
          ::String.from_java_bytes(out.toByteArray)
        rescue java.util.zip.DataFormatException => e
          raise ::Zlib::DataError, e.message
        ensure
          inflater.end
        end
      end
    else
      def self.latin1_bytes(text)
        text.encode(::Encoding::ISO_8859_1).force_encoding(::Encoding::BINARY)
      end

      def self.inflate_zlib(payload, limit)
        z = ::Zlib::Inflate.new
        out = ::String.new(encoding: ::Encoding::BINARY)
        at = 0
        n = payload.bytesize
        begin
          while at < n
            out << z.inflate(payload.byteslice(at, 4096))
            at += 4096
            return out if out.bytesize > limit
          end
          out << z.finish
          raise ::ArgumentError, 'zlib stream is truncated' unless z.finished?

          out
        rescue ::Zlib::BufError # what finish raises on a stream that stops short
          raise ::ArgumentError, 'zlib stream is truncated'
        ensure
          z.close
        end
      end
    end
  end

  # The filter that turns a udp input's datagram event into the event logstash-input-gelf
  # v3.3.2 (lib/logstash/inputs/gelf.rb) would have made of the message: the JSON's fields,
  # a numeric timestamp as @timestamp (LogStash::Timestamp.at, which is Time.at),
  # full_message (else short_message) as message, and leading underscores stripped (_event
  # becomes event). The input's own fields stay: type, the sender's address, @metadata.
  # The datagram text is always removed.
  class GelfDecoder
    def initialize(type:, source_field:, tick_field:, timeout:, max_pending_bytes:, max_message_bytes:,
                   incomplete_tag:, failure_tag:, json_failure_tag:)
      @type = type
      @source_field = source_field
      @tick_field = tick_field
      # Set by the input, not taken from the message.
      @kept = ['@metadata', '@timestamp', '@version', 'type', source_field].freeze
      @assembler = GelfAssembler.new(timeout: timeout, max_pending_bytes: max_pending_bytes)
      @max_message_bytes = max_message_bytes
      @incomplete_tag = incomplete_tag
      @failure_tag = failure_tag
      @json_failure_tag = json_failure_tag
    end

    # A tick (the heartbeat input) only sweeps; a datagram may complete a message.
    # Messages given up are emitted as new events through emit (logstash-filter-ruby's
    # new_event_block), whatever the current event was.
    def filter(event, emit, now = ::Process.clock_gettime(::Process::CLOCK_MONOTONIC))
      if event.get(@tick_field)
        event.cancel
      else
        decode(event, now)
      end
      @assembler.expired(now).each { |entry, reason| emit.call(incomplete(entry, reason)) }
    end

    private

    def decode(event, now)
      raw = event.get('message')
      event.remove('message')
      return failed(event, 'the event has no datagram text', 0) unless raw.is_a?(::String)

      # The udp input's plain codec read the bytes as ISO-8859-1: back to the same bytes.
      data = GelfAssembler.latin1_bytes(raw)
      status, value = @assembler.accept(data, event.get(@source_field).to_s, now)
      case status
      when :pending then event.cancel
      when :error then failed(event, value, data.bytesize)
      else apply(event, value)
      end
    rescue ::EncodingError
      failed(event, 'datagram text is not ISO-8859-1 (is the udp codec plain with that charset?)', raw.bytesize)
    end

    def apply(event, payload)
      begin
        text = GelfAssembler.inflate(payload, @max_message_bytes)
      rescue ::Zlib::Error => e
        return failed(event, "message does not inflate (zlib: #{e.message})", payload.bytesize)
      rescue ::ArgumentError => e
        return failed(event, e.message, payload.bytesize)
      end
      doc = begin
        ::JSON.parse(text)
      rescue ::JSON::ParserError
        nil
      end
      # Not the text itself: it would be indexed unredacted.
      return failed(event, 'message is not a JSON object', text.bytesize, @json_failure_tag) unless doc.is_a?(::Hash)

      timestamp = doc['timestamp']
      if timestamp.is_a?(::Numeric) && timestamp.finite?
        doc.delete('timestamp')
        event.timestamp = GelfDecoder.timestamp(timestamp)
      end
      full = doc['full_message']
      short = doc['short_message']
      if full.is_a?(::String) && !full.empty?
        doc['message'] = full
        doc.delete('full_message')
        doc.delete('short_message') if short == full
      elsif short.is_a?(::String) && !short.empty?
        doc['message'] = short
        doc.delete('short_message')
      end
      # The gelf input strips after remapping, so an underscored field wins over its bare name.
      doc.keys.each do |key|
        doc[key[1..-1]] = doc.delete(key) if key.start_with?('_') && key.length > 1
      end
      refused = []
      doc.each do |key, value|
        next if @kept.include?(key)

        begin
          event.set(key, value)
        rescue ::StandardError
          # A key Logstash cannot take as a field reference (unbalanced brackets): its
          # RuntimeError (v8.19.20 JrubyEventExtLibrary.java extractFieldReference).
          refused << key
        end
      end
      failed(event, "fields not set: #{refused.join(', ')[0, 200]}", payload.bytesize) unless refused.empty?
    end

    # To the microsecond, rounded; the gelf input passes Float#rationalize to Time.at, which
    # differs by under a microsecond (Elasticsearch keeps milliseconds) and took 50x as long.
    def self.timestamp(seconds)
      whole = seconds.floor
      micros = ((seconds - whole) * 1_000_000).round
      return ::LogStash::Timestamp.at(whole + 1, 0) if micros == 1_000_000

      ::LogStash::Timestamp.at(whole, micros)
    end

    def failed(event, reason, bytes, tag = @failure_tag)
      event.set('[gelf][error]', reason)
      event.set('[gelf][bytes]', bytes)
      event.tag(tag)
    end

    def incomplete(entry, reason)
      ::LogStash::Event.new(
        'type' => @type,
        @source_field => entry.sender,
        'message' => "GELF message lost: #{entry.received} of #{entry.count} chunks arrived (#{reason})",
        'tags' => [@incomplete_tag],
        'gelf' => {
          'framing' => entry.framing,
          'message_id' => entry.id.unpack1('H*'),
          'chunks_received' => entry.received,
          'chunks_expected' => entry.count,
          'bytes' => entry.bytes,
          'reason' => reason
        }
      )
    end
  end
end
`;
