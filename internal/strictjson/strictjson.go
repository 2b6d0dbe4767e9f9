// Package strictjson reads the JSON documents repobuild's own steps write
// (a lock, a fetch report): one document, no field the type lacks.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Unmarshal decodes data, which must hold exactly one JSON document with
// no unknown field, into v.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the document")
	}
	return nil
}
