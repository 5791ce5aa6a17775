//! The typeface: Inter, built into the program (with å, ä and ö, which bevy's own font lacks); the
//! very bytes the typesetter in [`crate::typeset`] measures.

use bevy::prelude::*;

use crate::typeset::Face;

/// The loaded weights of Inter.
#[derive(Resource, Debug, Clone)]
pub struct Fonts {
    pub regular: Handle<Font>,
    pub semibold: Handle<Font>,
    pub bold: Handle<Font>,
}

impl Fonts {
    pub fn face(&self, face: Face) -> Handle<Font> {
        match face {
            Face::Regular => self.regular.clone(),
            Face::SemiBold => self.semibold.clone(),
            Face::Bold => self.bold.clone(),
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    let mut fonts = app.world_mut().resource_mut::<Assets<Font>>();
    let mut load = |face: Face| fonts.add(Font::from_bytes(face.bytes().to_vec()));
    let loaded = Fonts {
        regular: load(Face::Regular),
        semibold: load(Face::SemiBold),
        bold: load(Face::Bold),
    };
    app.insert_resource(loaded);
}
