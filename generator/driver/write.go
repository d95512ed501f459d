package driver

import (
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data so that readers see either the old
// file or the complete new one, never a partial write: it writes a temporary
// file in the same directory, syncs it to disk and renames it over path.
// A symbolic link at path is followed, so the link itself survives.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	if target, evalErr := filepath.EvalSymlinks(path); evalErr == nil {
		path = target
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; give it the mode the caller asked for
	// (before the rename, so the final name never has the wrong mode).
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmpName, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable. It is best effort: some platforms and
// file systems do not support syncing a directory, and the data itself is
// already safe.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
